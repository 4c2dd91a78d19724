package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServeCommandTest {
  @ParameterizedTest(name = "{0} -> loopback {1}")
  @CsvSource({
    "127.0.0.1, true",
    "127.1.2.3, true",
    "localhost, true",
    "::1, true",
    "0.0.0.0, false",
    "10.0.0.5, false",
    "::, false",
    "my-host, false"
  })
  void shouldWarnOfOpenInferenceOnlyBeyondLoopback(String host, boolean loopback) {
    assertThat(ServeCommand.isLoopback(host)).isEqualTo(loopback);
  }
}
