package dev.kairos.autoscaler.decider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.kairos.autoscaler.metrics.MetricSnapshot;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The KPA rules as a table: each row a label, the knobs that differ from the defaults (target 8 ×
 * 70% = 5.6 per replica, stable 60s, panic 6s at 200%, up ×1000, down ÷2, grace 30s), the metrics,
 * the decider's memory, and the replicas wanted.
 */
class KpaDeciderTest {
  private static final long S = 1_000_000_000L;
  private static final long NOW = 1_000 * S;

  /** What the decider remembers: seconds since panic began (null: stable), max panic, last want. */
  record Memory(Integer panicSecondsAgo, int maxPanic, long wantedSecondsAgo) {
    DeciderState state() {
      return new DeciderState(
          panicSecondsAgo == null ? DeciderState.NEVER : NOW - panicSecondsAgo * S,
          maxPanic,
          NOW - wantedSecondsAgo * S);
    }
  }

  static Memory calm() {
    return new Memory(null, 0, 0);
  }

  static Memory idleFor(long seconds) {
    return new Memory(null, 0, seconds);
  }

  static Memory panicking(int secondsAgo, int maxPanic) {
    return new Memory(secondsAgo, maxPanic, 0);
  }

  static Stream<Arguments> rules() {
    return Stream.of(
        // label, knobs, stable, panic, ready, current, memory, want, wantPanic
        arguments(
            "an idle model at zero stays at zero",
            Map.of(),
            0.0,
            0.0,
            0,
            0,
            idleFor(999),
            0,
            false),
        arguments(
            "a held request at zero asks for one replica",
            Map.of(),
            1.0,
            1.0,
            0,
            0,
            idleFor(999),
            1,
            false),
        arguments(
            "activation scale starts several from zero",
            Map.of("activationScale", 3),
            1.0,
            1.0,
            0,
            0,
            idleFor(999),
            3,
            false),
        arguments("stable: ceil(20 / 5.6) = 4", Map.of(), 20.0, 10.0, 2, 2, calm(), 4, false),
        arguments(
            "utilisation 100% aims at the full target: ceil(20 / 8) = 3",
            Map.of("targetUtilizationPercentage", 100), 20.0, 10.0, 2, 2, calm(), 3, false),
        arguments(
            "target concurrency 2 at 100%: ceil(7 / 2) = 4",
            Map.of("targetConcurrency", 2, "targetUtilizationPercentage", 100),
            7.0,
            3.0,
            4,
            4,
            calm(),
            4,
            false),
        arguments(
            "scale-up rate 2 caps 2 ready at 4",
            Map.of("maxScaleUpRate", 2),
            100.0,
            5.0,
            2,
            2,
            calm(),
            4,
            false),
        arguments(
            "scale-up rate counts no ready replica as one",
            Map.of("maxScaleUpRate", 3),
            100.0,
            5.0,
            0,
            1,
            calm(),
            3,
            false),
        arguments(
            "scale-down rate 2 halves 8 ready at most",
            Map.of("maxReplicas", 10),
            0.0,
            0.0,
            8,
            8,
            calm(),
            4,
            false),
        arguments(
            "scale-down rate 4 quarters 8 ready at most",
            Map.of("maxScaleDownRate", 4),
            0.0,
            0.0,
            8,
            8,
            calm(),
            2,
            false),
        arguments(
            "panic starts at 2x: ceil(22 / 5.6) = 4 on 2 ready",
            Map.of(),
            5.0,
            22.0,
            2,
            2,
            calm(),
            4,
            true),
        arguments("just under 2x stays stable", Map.of(), 10.0, 16.0, 2, 2, calm(), 2, false),
        arguments(
            "threshold 300% needs 3x to panic",
            Map.of("panicThresholdPercentage", 300), 10.0, 22.0, 2, 2, calm(), 2, false),
        arguments(
            "panic never scales down",
            Map.of("maxReplicas", 10),
            5.0,
            5.0,
            6,
            6,
            panicking(10, 6),
            6,
            true),
        arguments(
            "panic lasts a stable window after the last surge",
            Map.of("maxReplicas", 10),
            5.0,
            5.0,
            6,
            6,
            panicking(59, 6),
            6,
            true),
        arguments(
            "panic ends after a stable window below threshold",
            Map.of(),
            5.0,
            5.0,
            6,
            6,
            panicking(61, 6),
            3,
            false),
        arguments(
            "panic takes the larger of stable and panic wants",
            Map.of("maxReplicas", 10),
            40.0,
            30.0,
            2,
            2,
            panicking(1, 2),
            8,
            true),
        arguments(
            "the last replica stays through the grace period",
            Map.of(),
            0.0,
            0.0,
            1,
            1,
            idleFor(10),
            1,
            false),
        arguments(
            "the last replica goes after the grace period",
            Map.of(),
            0.0,
            0.0,
            1,
            1,
            idleFor(31),
            0,
            false),
        arguments(
            "grace 0s scales to zero at once",
            Map.of("scaleToZeroAfter", "0s"),
            0.0,
            0.0,
            1,
            1,
            idleFor(1),
            0,
            false),
        arguments(
            "minReplicas is a floor",
            Map.of("minReplicas", 2),
            0.0,
            0.0,
            2,
            2,
            idleFor(999),
            2,
            false),
        arguments(
            "maxReplicas is a ceiling",
            Map.of("maxReplicas", 3),
            1000.0,
            5.0,
            2,
            2,
            calm(),
            3,
            false),
        arguments(
            "a model that never had samples is idle, not an error",
            Map.of("minReplicas", 1),
            0.0,
            0.0,
            1,
            1,
            idleFor(999),
            1,
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void shouldDecideByTheKpaRules(
      String label,
      Map<String, Object> knobs,
      double stable,
      double panic,
      int ready,
      int current,
      Memory memory,
      int want,
      boolean wantPanic) {
    ScalingConfig spec = ScalingKnobs.apply(ScalingConfig.DEFAULT, knobs);
    ScaleDecision d =
        KpaDecider.decide(
            spec, new MetricSnapshot(stable, panic, ready, current), memory.state(), NOW);
    assertThat(d.desired()).as(label + ": " + d.explain()).isEqualTo(want);
    assertThat(d.panic()).as(label + ": panic").isEqualTo(wantPanic);
    assertThat(d.next().panicking()).isEqualTo(wantPanic);
  }

  static Stream<Arguments> limits() {
    return Stream.of(
        // label, knobs, stable, panic, ready, current, memory, want, limit
        arguments("load alone", Map.of(), 20.0, 10.0, 2, 2, calm(), 4, ScaleDecision.Limit.NONE),
        arguments(
            "up rate",
            Map.of("maxScaleUpRate", 2.0),
            56.0,
            10.0,
            2,
            2,
            calm(),
            4,
            ScaleDecision.Limit.MAX_SCALE_UP_RATE),
        arguments(
            "down rate",
            Map.of(),
            1.0,
            1.0,
            8,
            8,
            calm(),
            4,
            ScaleDecision.Limit.MAX_SCALE_DOWN_RATE),
        arguments(
            "max replicas",
            Map.of("maxReplicas", 3),
            56.0,
            10.0,
            2,
            2,
            calm(),
            3,
            ScaleDecision.Limit.MAX_REPLICAS),
        arguments(
            "min replicas",
            Map.of("minReplicas", 2),
            0.0,
            0.0,
            1,
            1,
            idleFor(999),
            2,
            ScaleDecision.Limit.MIN_REPLICAS),
        arguments(
            "grace keeps the last replica",
            Map.of(),
            0.0,
            0.0,
            1,
            1,
            idleFor(10),
            1,
            ScaleDecision.Limit.SCALE_TO_ZERO_GRACE),
        arguments(
            "scale to zero after the grace",
            Map.of(),
            0.0,
            0.0,
            1,
            1,
            idleFor(999),
            0,
            ScaleDecision.Limit.NONE),
        arguments(
            "activation scale from zero",
            Map.of("activationScale", 3),
            1.0,
            1.0,
            0,
            0,
            idleFor(999),
            3,
            ScaleDecision.Limit.ACTIVATION_SCALE),
        arguments(
            "panic keeps its peak",
            Map.of("maxReplicas", 10),
            5.0,
            5.0,
            6,
            6,
            panicking(3, 6),
            6,
            ScaleDecision.Limit.PANIC_HOLD));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("limits")
  void shouldNameTheRuleThatLimitedTheDecision(
      String label,
      Map<String, Object> knobs,
      double stable,
      double panic,
      int ready,
      int current,
      Memory memory,
      int want,
      ScaleDecision.Limit limit) {
    ScalingConfig spec = ScalingKnobs.apply(ScalingConfig.DEFAULT, knobs);
    ScaleDecision d =
        KpaDecider.decide(
            spec, new MetricSnapshot(stable, panic, ready, current), memory.state(), NOW);
    assertThat(d.desired()).as(label + ": " + d.explain()).isEqualTo(want);
    assertThat(d.limit()).as(label + ": " + d.explain()).isEqualTo(limit);
  }
}
