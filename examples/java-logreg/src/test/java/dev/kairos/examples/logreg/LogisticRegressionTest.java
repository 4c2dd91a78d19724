package dev.kairos.examples.logreg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.predictor.PredictorTester;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LogisticRegressionTest {
  private static final Path MODEL = Path.of("../models/logreg");
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
            MODEL.resolve("golden/request.json"), MODEL.resolve("golden/response.json"), 1e-6);

    assertThat(r.output("label").orElseThrow().asStrings())
        .containsExactly("setosa", "versicolor", "virginica");
  }

  @Test
  void shouldRejectRowsOfTheWrongWidthAsTheRuntimeWould() {
    String req =
        "{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 3], \"datatype\": \"FP32\","
            + " \"data\": [1, 2, 3]}]}";

    assertThatThrownBy(() -> model.inferJson(req))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("input 'features': expected shape [-1,4], got [1,3]");
  }
}
