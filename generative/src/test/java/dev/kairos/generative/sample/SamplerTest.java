package dev.kairos.generative.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {
  private final float[] logits = {1f, 3f, 2.5f, -1f, 2.9f};

  @Test
  void shouldPickTheFirstMaximumWhenGreedy() {
    assertThat(Sampler.pick(new float[] {1, 5, 5}, SamplingParams.GREEDY, null)).isEqualTo(1);
  }

  @Test
  void shouldRepeatTheSameDrawsForTheSameSeed() {
    SamplingParams p = new SamplingParams(1.0, 0, 1, 7L);
    SplittableRandom a = new SplittableRandom(7);
    SplittableRandom b = new SplittableRandom(7);
    for (int i = 0; i < 50; i++) {
      assertThat(Sampler.pick(logits, p, a)).isEqualTo(Sampler.pick(logits, p, b));
    }
  }

  @Test
  void shouldKeepOnlyTheTopKTokens() {
    SamplingParams p = new SamplingParams(5.0, 2, 1, null);
    SplittableRandom r = new SplittableRandom(1);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      seen.add(Sampler.pick(logits, p, r));
    }
    assertThat(seen).containsExactlyInAnyOrder(1, 4);
  }

  @Test
  void shouldKeepTheNucleusOfTopP() {
    // With a tiny top_p only the most likely token is left.
    SamplingParams p = new SamplingParams(1.0, 0, 0.01, null);
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < 100; i++) {
      assertThat(Sampler.pick(logits, p, r)).isEqualTo(1);
    }
  }

  @Test
  void shouldSampleEveryTokenAtHighTemperature() {
    SamplingParams p = new SamplingParams(100.0, 0, 1, null);
    SplittableRandom r = new SplittableRandom(5);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      seen.add(Sampler.pick(logits, p, r));
    }
    assertThat(seen).hasSize(5);
  }

  @Test
  void shouldNameTheBadSamplingValue() {
    assertThatThrownBy(() -> new SamplingParams(-0.5, 0, 1, null))
        .hasMessage("temperature = -0.5, must be >= 0");
    assertThatThrownBy(() -> new SamplingParams(1, 0, 0, null))
        .hasMessage("top_p = 0.0, must be in (0, 1]");
    assertThatThrownBy(() -> new SamplingParams(1, 0, 1.5, null))
        .hasMessage("top_p = 1.5, must be in (0, 1]");
  }
}
