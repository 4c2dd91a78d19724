package dev.kairos.runtime.engine.java;

import dev.kairos.runtime.engine.EngineException;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.model.ModelSignature;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.predictor.Predictor;
import java.net.URLClassLoader;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A loaded {@link Predictor}; user code runs with its own class loader as context loader. */
final class JavaPredictorModel implements LoadedModel {
  private static final Logger log = LoggerFactory.getLogger(JavaPredictorModel.class);

  private final String model;
  private final Predictor predictor;
  private final URLClassLoader loader;
  private final ModelSignature signature;
  private final boolean batching;

  JavaPredictorModel(
      String model,
      Predictor predictor,
      URLClassLoader loader,
      ModelSignature signature,
      ModelConfig config) {
    this.model = model;
    this.predictor = predictor;
    this.loader = loader;
    this.signature = signature;
    this.batching = config.batching().enabled();
  }

  @Override
  public ModelSignature signature() {
    return signature;
  }

  @Override
  public String platform() {
    return "java";
  }

  @Override
  public InferenceResponse infer(InferenceRequest request) {
    return checked(request, call(() -> predictor.predict(request)));
  }

  @Override
  public List<InferenceResponse> inferBatch(List<InferenceRequest> requests) {
    if (requests.size() == 1 || !batching) {
      return requests.stream().map(this::infer).toList();
    }
    List<InferenceResponse> out = call(() -> List.copyOf(predictor.predictBatch(requests)));
    if (out.size() != requests.size()) {
      throw new EngineException(
          "predictBatch returned " + out.size() + " responses for " + requests.size() + " requests",
          null);
    }
    for (int i = 0; i < out.size(); i++) {
      checked(requests.get(i), out.get(i));
    }
    return out;
  }

  /** User code's answer must fit model.yaml's outputs; clients rely on the declared signature. */
  private InferenceResponse checked(InferenceRequest request, InferenceResponse response) {
    if (response == null) {
      throw new EngineException("the predictor returned null instead of a response", null);
    }
    String wrong = signature.outputMismatch(request, response);
    if (wrong != null) {
      throw new EngineException("the predictor's answer does not fit model.yaml: " + wrong, null);
    }
    return response;
  }

  private interface UserCall<T> {
    T run() throws Exception;
  }

  private <T> T call(UserCall<T> work) {
    Thread t = Thread.currentThread();
    ClassLoader previous = t.getContextClassLoader();
    t.setContextClassLoader(loader);
    try {
      T out = work.run();
      if (out == null) {
        throw new EngineException("the predictor returned null instead of a response", null);
      }
      return out;
    } catch (InvalidInputException | EngineException e) {
      throw e;
    } catch (Exception | LinkageError | StackOverflowError e) {
      throw new EngineException(
          "the predictor threw " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    } finally {
      t.setContextClassLoader(previous);
    }
  }

  @Override
  public void close() {
    try {
      predictor.close();
    } catch (Exception e) {
      log.warn("model={} predictor close failed: {}", model, e.toString());
    } finally {
      JavaPredictorEngine.closeQuietly(loader);
    }
  }
}
