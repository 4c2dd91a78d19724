package dev.kairos.sdk.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryAfterTest {
  private static final Instant NOW = Instant.parse("2026-11-23T04:00:00Z");

  @ParameterizedTest(name = "{0} -> {1} ms")
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      value = {
        "null                          | 250",
        "'  '                          | 250",
        "2                             | 2000",
        "0                             | 0",
        "-5                            | 0",
        "Mon, 23 Nov 2026 04:00:03 GMT | 3000",
        "Mon, 23 Nov 2026 03:59:00 GMT | 0",
        "soon                          | 250",
      })
  void shouldReadSecondsAndHttpDates(String header, long wantMillis) {
    assertThat(RetryAfter.parse(header, Duration.ofMillis(250), NOW))
        .isEqualTo(Duration.ofMillis(wantMillis));
  }
}
