package dev.kairos.sdk.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScalingKnobsTest {

  @ParameterizedTest(name = "{0}={1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "minReplicas                 | -1    | minReplicas = -1, must be >= 0",
        "minReplicas                 | two   | minReplicas = 'two', must be an integer",
        "maxReplicas                 | 0     | maxReplicas = 0, must be >= 1",
        "initialScale                | 9     | initialScale = 9, must be between minReplicas (0) and maxReplicas (4)",
        "targetConcurrency           | 0     | targetConcurrency = 0, must be between 0.01 and 1000000",
        "targetUtilizationPercentage | 120   | targetUtilizationPercentage = 120, must be between 1 and 100",
        "stableWindow                | 5s    | stableWindow = 5s, must be between 6s and 1h",
        "stableWindow                | 2h    | stableWindow = 2h, must be between 6s and 1h",
        "stableWindow                | fast  | stableWindow = 'fast', expected a duration such as 500us, 2ms, 30s, 5m or 1h, got 'fast'",
        "panicWindowPercentage       | 0.5   | panicWindowPercentage = 0.5, must be between 1 and 100",
        "panicThresholdPercentage    | 100   | panicThresholdPercentage = 100, must be between 110 and 1000",
        "maxScaleUpRate              | 0.5   | maxScaleUpRate = 0.5, must be > 1.0",
        "maxScaleDownRate            | 1     | maxScaleDownRate = 1, must be > 1.0",
        "scaleToZeroAfter            | 2h    | scaleToZeroAfter = 2h, must be between 0s and 1h",
        "activationScale             | 0     | activationScale = 0, must be >= 1",
        "activationScale             | 5     | activationScale = 5, must be <= maxReplicas (4)",
        "scaleUpRate                 | 3     | scaleUpRate = '3', is not a scaling knob; expected one of",
      })
  void shouldNameKnobValueAndRule(String knob, String value, String message) {
    assertThatThrownBy(() -> ScalingKnobs.apply(ScalingConfig.DEFAULT, Map.of(knob, value)))
        .isInstanceOf(InvalidKnobException.class)
        .hasMessageStartingWith(message)
        .extracting(e -> ((InvalidKnobException) e).knob())
        .isEqualTo(knob);
  }

  @Test
  void shouldRejectPanicWindowShorterThanOneSecond() {
    assertThatThrownBy(
            () ->
                ScalingKnobs.apply(
                    ScalingConfig.DEFAULT,
                    Map.of("stableWindow", "6s", "panicWindowPercentage", 10)))
        .hasMessage(
            "panicWindowPercentage = 10, gives a panic window of 600ms with stableWindow 6s,"
                + " must give at least 1s");
  }

  @Test
  void shouldApplyValuesGivenAsNumbersOrText() {
    ScalingConfig c =
        ScalingKnobs.apply(
            ScalingConfig.DEFAULT,
            Map.of("maxReplicas", 10, "maxScaleDownRate", "4", "stableWindow", "30s"));
    assertThat(c.maxReplicas()).isEqualTo(10);
    assertThat(c.maxScaleDownRate()).isEqualTo(4.0);
    assertThat(c.stableWindow()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.panicWindow()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.targetConcurrency()).isEqualTo(ScalingConfig.DEFAULT.targetConcurrency());
  }

  @Test
  void shouldClampInitialScaleWhenBoundsMoveAndItIsNotGiven() {
    ScalingConfig c = ScalingKnobs.apply(ScalingConfig.DEFAULT, Map.of("minReplicas", 3));
    assertThat(c.initialScale()).isEqualTo(3);
  }

  @Test
  void shouldRoundTripEveryKnobThroughItsWrittenForm() {
    ScalingConfig tuned =
        ScalingKnobs.apply(
            ScalingConfig.DEFAULT,
            Map.of("targetUtilizationPercentage", 55, "scaleToZeroAfter", "90s"));
    assertThat(ScalingKnobs.apply(ScalingConfig.DEFAULT, tuned.knobs())).isEqualTo(tuned);
    assertThat(ScalingKnobs.NAMES).hasSize(12);
  }

  @Test
  void shouldReportModelYamlKnobErrorsWithFileAndField() {
    String yaml = "scaling: {maxScaleUpRate: 0.5}\n";
    assertThatThrownBy(() -> ModelConfigParser.parse(yaml, Path.of("m/model.yaml"), "m"))
        .isInstanceOf(ModelConfigException.class)
        .hasMessage("m/model.yaml: scaling.maxScaleUpRate = 0.5, must be > 1.0");
  }

  @Test
  void shouldParseEveryKnobFromModelYaml() {
    String yaml =
        "scaling: {minReplicas: 1, maxReplicas: 8, initialScale: 2, targetConcurrency: 4,"
            + " targetUtilizationPercentage: 80, stableWindow: 30s, panicWindowPercentage: 20,"
            + " panicThresholdPercentage: 300, maxScaleUpRate: 10, maxScaleDownRate: 4,"
            + " scaleToZeroAfter: 10s, activationScale: 2}\n";
    ScalingConfig c = ModelConfigParser.parse(yaml, Path.of("m/model.yaml"), "m").scaling();
    assertThat(c)
        .isEqualTo(
            new ScalingConfig(
                1, 8, 2, 4, 80, Duration.ofSeconds(30), 20, 300, 10, 4, Duration.ofSeconds(10), 2));
  }

  @Test
  void shouldRaiseDefaultMaximumWhenModelYamlAsksForMoreMinimumReplicas() {
    ScalingConfig c =
        ModelConfigParser.parse("scaling: {minReplicas: 6}\n", Path.of("m.yaml"), "m").scaling();
    assertThat(c.maxReplicas()).isEqualTo(6);
    assertThat(c.initialScale()).isEqualTo(6);
  }
}
