package dev.kairos.sdk.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Fp16Test {
  @Test
  void shouldRoundTripRepresentableValues() {
    for (float f : new float[] {0f, -0f, 1f, -2.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f}) {
      assertThat(Fp16.toFloat(Fp16.fromFloat(f))).isEqualTo(f);
    }
  }

  @Test
  void shouldRoundToNearestEvenAndSaturateToInfinity() {
    assertThat(Fp16.toFloat(Fp16.fromFloat(1.0004883f))).isEqualTo(1f); // halfway: to even
    assertThat(Fp16.toFloat(Fp16.fromFloat(1e6f))).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(Float.isNaN(Fp16.toFloat(Fp16.fromFloat(Float.NaN)))).isTrue();
  }
}
