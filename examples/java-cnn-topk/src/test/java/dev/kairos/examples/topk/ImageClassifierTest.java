package dev.kairos.examples.topk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.predictor.PredictorTester;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ImageClassifierTest {
  private static final Path MODEL = Path.of("../models/cnn-topk");
  private static PredictorTester model;

  @BeforeAll
  static void load() {
    model = PredictorTester.load(MODEL);
  }

  @AfterAll
  static void close() throws Exception {
    model.close();
  }

  @Test
  void shouldAnswerTheGoldenRequest() throws Exception {
    InferenceResponse r =
        model.checkGolden(
            MODEL.resolve("golden/request.json"), MODEL.resolve("golden/response.json"), 1e-5);

    assertThat(r.output("labels").orElseThrow().shape()).containsExactly(2, 3);
  }

  @Test
  void shouldRejectFloatPixelsAsTheRuntimeWould() {
    String req =
        "{\"inputs\": [{\"name\": \"image\", \"shape\": [1, 32, 32, 3], \"datatype\": \"FP32\","
            + " \"data\": "
            + java.util.Arrays.toString(new float[32 * 32 * 3])
            + "}]}";

    assertThatThrownBy(() -> model.inferJson(req))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("input 'image': expected datatype UINT8, got FP32");
  }
}
