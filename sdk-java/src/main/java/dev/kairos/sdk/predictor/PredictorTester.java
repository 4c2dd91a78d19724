package dev.kairos.sdk.predictor;

import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.model.ModelConfigException;
import dev.kairos.sdk.model.ModelConfigParser;
import dev.kairos.sdk.model.ModelSignature;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.oip.OipJsonEncoder;
import dev.kairos.sdk.oip.RequestedOutput;
import dev.kairos.sdk.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs a {@link Predictor} in-process, from its model directory, the way a Kairos replica would:
 * {@code model.yaml} parsed by the same parser, requests decoded from OIP JSON by the same decoder
 * and validated against the declared signature by the same code, so a test sees the very 400
 * message a client would. No server, no network: use it in a JUnit test.
 *
 * <pre>{@code
 * @Test
 * void answersTheGoldenRequest() throws Exception {
 *   try (PredictorTester model = PredictorTester.load(Path.of("src/main/model"))) {
 *     String response = model.inferJson(Files.readString(Path.of("src/test/resources/request.json")));
 *     assertThat(response).contains("\"scores\"");
 *   }
 * }
 * }</pre>
 *
 * <p>Beyond what the runtime checks, the tester also checks each response against the declared
 * outputs (names, datatypes, shapes), so a predictor that would answer clients with tensors its
 * signature does not promise fails its own test.
 */
public final class PredictorTester implements AutoCloseable {
  private final ModelConfig config;
  private final ModelSignature signature;
  private final String version;
  private final Predictor predictor;
  private final OipJsonDecoder decoder = new OipJsonDecoder();
  private final OipJsonEncoder encoder = new OipJsonEncoder();

  private PredictorTester(
      ModelConfig config, ModelSignature signature, String version, Predictor predictor) {
    this.config = config;
    this.signature = signature;
    this.version = version;
    this.predictor = predictor;
  }

  /**
   * Loads the predictor class the model directory names ({@code options: {class: ...}} in {@code
   * model.yaml}, else {@code META-INF/services}) from the test's class path.
   *
   * @param modelDir holds {@code model.yaml}; files the predictor reads are in its highest numbered
   *     version folder if it has one, else in the directory itself
   * @throws ModelConfigException when {@code model.yaml} is wrong or declares no signature
   * @throws PredictorLoadException when the class cannot be found or constructed, or {@code load}
   *     throws
   */
  public static PredictorTester load(Path modelDir) {
    ModelConfig config = readConfig(modelDir);
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = PredictorTester.class.getClassLoader();
    }
    return start(
        modelDir, config, PredictorClasses.instantiate(config.name(), config.options(), loader));
  }

  /** Loads the given predictor instance against the model directory's {@code model.yaml}. */
  public static PredictorTester load(Path modelDir, Predictor predictor) {
    return start(modelDir, readConfig(modelDir), predictor);
  }

  private static ModelConfig readConfig(Path modelDir) {
    Path yaml = modelDir.resolve("model.yaml");
    if (!Files.isRegularFile(yaml)) {
      throw new ModelConfigException(
          modelDir, null, "has no model.yaml (a Java model must declare its signature there)");
    }
    String dirName = modelDir.toAbsolutePath().normalize().getFileName().toString();
    return ModelConfigParser.parse(yaml, dirName);
  }

  private static PredictorTester start(Path modelDir, ModelConfig config, Predictor predictor) {
    ModelSignature signature = config.declaredSignature();
    if (signature == null || signature.inputs().isEmpty() || signature.outputs().isEmpty()) {
      throw new ModelConfigException(
          modelDir.resolve("model.yaml"),
          "inputs",
          "a Java model must declare its inputs and outputs");
    }
    Path versionDir = latestVersionDir(modelDir);
    String version = versionDir.equals(modelDir) ? "1" : versionDir.getFileName().toString();
    ModelContext context = new TesterContext(config, version, versionDir);
    try {
      predictor.load(context);
    } catch (Exception e) {
      throw new PredictorLoadException(
          "model '"
              + config.name()
              + "': load failed: "
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage(),
          e);
    }
    return new PredictorTester(config, signature, version, predictor);
  }

  private static Path latestVersionDir(Path modelDir) {
    try (Stream<Path> s = Files.list(modelDir)) {
      return s.filter(Files::isDirectory)
          .filter(p -> p.getFileName().toString().matches("\\d{1,9}"))
          .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString())))
          .orElse(modelDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public ModelConfig config() {
    return config;
  }

  public ModelSignature signature() {
    return signature;
  }

  /**
   * Validates a request against the signature, runs the predictor and checks its response.
   *
   * @throws InvalidInputException when the request does not fit the signature (the runtime's 400)
   * @throws AssertionError when the response does not fit the declared outputs
   * @throws Exception whatever the predictor throws (the runtime's 500)
   */
  public InferenceResponse infer(InferenceRequest request) throws Exception {
    signature.validate(request);
    InferenceResponse response = predictor.predict(request);
    return checked(request, response);
  }

  /** Runs several requests through {@link Predictor#predictBatch}, each validated and checked. */
  public List<InferenceResponse> inferBatch(List<InferenceRequest> requests) throws Exception {
    for (InferenceRequest r : requests) {
      signature.validate(r);
    }
    List<InferenceResponse> responses = predictor.predictBatch(requests);
    if (responses == null || responses.size() != requests.size()) {
      throw new AssertionError(
          "model '"
              + config.name()
              + "': predictBatch answered "
              + (responses == null ? "null" : responses.size() + " responses")
              + " for "
              + requests.size()
              + " requests");
    }
    List<InferenceResponse> out = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      out.add(checked(requests.get(i), responses.get(i)));
    }
    return out;
  }

  /** Decodes an OIP JSON request as the runtime does, then {@link #infer(InferenceRequest)}. */
  public InferenceResponse infer(byte[] requestJson) throws Exception {
    return infer(decoder.decodeRequest(requestJson));
  }

  /** Reads an OIP JSON request file, e.g. a golden {@code request.json}. */
  public InferenceResponse infer(Path requestJsonFile) throws Exception {
    return infer(Files.readAllBytes(requestJsonFile));
  }

  /** OIP JSON in, OIP JSON out, as a client of the endpoint would see it. */
  public String inferJson(String requestJson) throws Exception {
    InferenceResponse r = infer(requestJson.getBytes(StandardCharsets.UTF_8));
    return new String(encoder.encodeResponse(r), StandardCharsets.UTF_8);
  }

  /**
   * Runs a golden request and compares the answer with a golden response: the same outputs, each
   * with the same datatype and shape, numbers within {@code tolerance} (absolute), strings equal.
   *
   * @return the response the predictor gave
   * @throws AssertionError naming the first output and element that differ
   */
  public InferenceResponse checkGolden(Path requestJson, Path responseJson, double tolerance)
      throws Exception {
    InferenceResponse got = infer(requestJson);
    InferenceResponse want = decoder.decodeResponse(Files.readAllBytes(responseJson));
    for (Tensor w : want.outputs()) {
      Tensor g =
          got.output(w.name())
              .orElseThrow(
                  () ->
                      new AssertionError(
                          "model '" + config.name() + "': output '" + w.name() + "' missing"));
      GoldenComparison.compare(config.name(), w, g, tolerance);
    }
    if (got.outputs().size() != want.outputs().size()) {
      throw new AssertionError(
          "model '"
              + config.name()
              + "': answered "
              + got.outputs()
              + ", golden has "
              + want.outputs());
    }
    return got;
  }

  private InferenceResponse checked(InferenceRequest request, InferenceResponse response) {
    if (response == null) {
      throw new AssertionError("model '" + config.name() + "': predict returned null");
    }
    String wrong = signature.outputMismatch(request, response);
    if (wrong != null) {
      throw new AssertionError("model '" + config.name() + "': " + wrong + " in model.yaml");
    }
    List<Tensor> outputs = new ArrayList<>();
    for (Tensor t : response.outputs()) {
      if (request.outputs().isEmpty()
          || request.outputs().stream().map(RequestedOutput::name).anyMatch(t.name()::equals)) {
        outputs.add(t);
      }
    }
    return new InferenceResponse(null, null, null, response.parameters(), outputs)
        .withIdentity(config.name(), version, request.id());
  }

  /** Calls the predictor's {@code close}. */
  @Override
  public void close() throws Exception {
    predictor.close();
  }

  private record TesterContext(ModelConfig config, String version, Path versionDir)
      implements ModelContext {
    @Override
    public String modelName() {
      return config.name();
    }
  }
}
