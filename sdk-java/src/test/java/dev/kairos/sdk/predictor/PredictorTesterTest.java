package dev.kairos.sdk.predictor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.sdk.model.ModelConfigException;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictorTesterTest {
  private static final String YAML =
      """
      name: doubler
      engine: java
      inputs:  [{name: x, datatype: FP32, shape: [-1, 3]}]
      outputs: [{name: y, datatype: FP32, shape: [-1, 3]}]
      options: {class: dev.kairos.sdk.predictor.Doubler}
      """;

  @TempDir Path dir;

  private Path model(String yaml) throws Exception {
    Files.writeString(dir.resolve("model.yaml"), yaml);
    Files.createDirectories(dir.resolve("2"));
    Files.writeString(dir.resolve("2/factor.txt"), "2.0");
    return dir;
  }

  private static String request(String shape, String datatype, String data) {
    return "{\"id\": \"t1\", \"inputs\": [{\"name\": \"x\", \"shape\": "
        + shape
        + ", \"datatype\": \""
        + datatype
        + "\", \"data\": "
        + data
        + "}]}";
  }

  @Test
  void shouldLoadTheClassNamedInModelYamlAndAnswerJson() throws Exception {
    try (PredictorTester t = PredictorTester.load(model(YAML))) {
      String out = t.inferJson(request("[1, 3]", "FP32", "[1, 2, 3]"));

      assertThat(out)
          .contains("\"model_name\":\"doubler\"")
          .contains("\"model_version\":\"2\"")
          .contains("\"id\":\"t1\"")
          .contains("\"data\":[2.0,4.0,6.0]");
    }
  }

  @Test
  void shouldReportSignatureMismatchesAsTheRuntimeWould() throws Exception {
    try (PredictorTester t = PredictorTester.load(model(YAML))) {
      assertThatThrownBy(() -> t.inferJson(request("[1, 4]", "FP32", "[1, 2, 3, 4]")))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage("input 'x': expected shape [-1,3], got [1,4]");
      assertThatThrownBy(() -> t.inferJson(request("[1, 3]", "INT32", "[1, 2, 3]")))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage("input 'x': expected datatype FP32, got INT32");
      assertThatThrownBy(() -> t.inferJson("{\"inputs\": [{\"name\": \"x\""))
          .isInstanceOf(InvalidInputException.class);
    }
  }

  @Test
  void shouldFailWhenTheResponseBreaksTheDeclaredOutputs() throws Exception {
    try (PredictorTester t = PredictorTester.load(model(YAML))) {
      String req =
          "{\"parameters\": {\"wrong_output\": true}, \"inputs\": [{\"name\": \"x\", \"shape\":"
              + " [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}";

      assertThatThrownBy(() -> t.inferJson(req))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("output 'y' is INT32, declared FP32 in model.yaml");
    }
  }

  @Test
  void shouldNameAMissingClass() throws Exception {
    Path m = model(YAML.replace("sdk.predictor.Doubler", "sdk.predictor.Nope"));

    assertThatThrownBy(() -> PredictorTester.load(m))
        .isInstanceOf(PredictorLoadException.class)
        .hasMessageContaining(
            "model 'doubler': predictor class 'dev.kairos.sdk.predictor.Nope' not found");
  }

  @Test
  void shouldReportWhatLoadThrew() throws Exception {
    Path m = model(YAML);
    Files.delete(m.resolve("2/factor.txt"));

    assertThatThrownBy(() -> PredictorTester.load(m))
        .isInstanceOf(PredictorLoadException.class)
        .hasMessageContaining("model 'doubler': load failed: NoSuchFileException");
  }

  @Test
  void shouldRequireADeclaredSignature() throws Exception {
    Path m = model("name: doubler\nengine: java\n");

    assertThatThrownBy(() -> PredictorTester.load(m, new Doubler()))
        .isInstanceOf(ModelConfigException.class)
        .hasMessageContaining("must declare its inputs and outputs");
  }

  @Test
  void shouldRunBatchesAndClose() throws Exception {
    Doubler d = new Doubler();
    PredictorTester t = PredictorTester.load(model(YAML), d);
    InferenceResponse r =
        t.inferBatch(
                java.util.List.of(
                    new dev.kairos.sdk.oip.OipJsonDecoder()
                        .decodeRequest(request("[1, 3]", "FP32", "[1, 1, 1]").getBytes())))
            .get(0);
    t.close();

    assertThat(r.output("y").orElseThrow().asFloatArray()).containsExactly(2f, 2f, 2f);
    assertThat(d.closed).isTrue();
  }
}
