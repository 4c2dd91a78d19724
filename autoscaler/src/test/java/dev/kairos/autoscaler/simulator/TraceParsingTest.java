package dev.kairos.autoscaler.simulator;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TraceParsingTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "one field          | 0,a\\n5\\n          | trace.csv:2: expected timestamp,model",
        "not a time         | 0,a\\nsoon,a\\n     | trace.csv:2: timestamp 'soon' is neither",
        "NaN                | 0,a\\nNaN,a\\n      | trace.csv:2: timestamp 'NaN' is not a finite",
        "infinite           | 0,a\\nInfinity,a\\n | trace.csv:2: timestamp 'Infinity' is not a finite",
        "empty model        | 0,a\\n1, ,x\\n      | trace.csv:2: the model name is empty",
      })
  void shouldNameTheLineAndTheReasonOfACsvTraceThatDoesNotParse(
      String label, String text, String message) throws IOException {
    Path f = dir.resolve("trace.csv");
    Files.writeString(f, text.replace("\\n", "\n"));
    assertThatThrownBy(() -> Trace.csv(f))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "count not a number | f1,o,t,1,x     | invocations_per_function_per_minute.csv:2: 'x' is not a number",
        "negative count     | f1,o,t,1,-2    | invocations_per_function_per_minute.csv:2: minute 2 holds '-2'",
        "short row          | f1,o,t,1       | invocations_per_function_per_minute.csv:2: expected 5 columns, got 4",
        "unknown function   | f9,o,t,1,1     | invocations_per_function_per_minute.csv:2: function f9 has invocations but no durations",
      })
  void shouldNameTheLineAndTheReasonOfAnAzureTraceThatDoesNotParse(
      String label, String row, String message) throws IOException {
    Files.writeString(
        dir.resolve("function_durations_ms.csv"),
        "HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,"
            + "percentile_Average_25,percentile_Average_50,percentile_Average_75,"
            + "percentile_Average_99,percentile_Average_100\n"
            + "f1,10,2,1,20,1,2,5,10,15,19,20\n");
    Files.writeString(
        dir.resolve("invocations_per_function_per_minute.csv"),
        "HashOwner,HashApp,HashFunction,1,2\n" + row + "\n");
    assertThatThrownBy(() -> Trace.azureFunctions(dir, 0, 0))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(message);
  }
}
