package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.predictor.PredictorTester;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs the predictor as a Kairos replica would, without a server. */
class ${className}Test {
  private static PredictorTester model;

  @BeforeAll
  static void load() {
    model = PredictorTester.load(Path.of("src/main/model"));
  }

  @AfterAll
  static void close() throws Exception {
    model.close();
  }

  @Test
  void answersTheGoldenRequest() throws Exception {
    model.checkGolden(
        Path.of("src/test/resources/request.json"), Path.of("src/test/resources/response.json"), 1e-5);
  }

  @Test
  void rejectsRowsOfTheWrongWidthAsTheRuntimeWould() {
    String request =
        "{\"inputs\": [{\"name\": \"features\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}";
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> model.inferJson(request));
    assertEquals("input 'features': expected shape [-1,4], got [1,3]", e.getMessage());
  }
}
