package dev.kairos.generative.ort;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import org.junit.jupiter.api.Test;

class OnnxEnvironmentTest {
  @Test
  void shouldGiveTheCreatingThreadAtLeastTheFloorAndMoreForALongCommandLine() {
    assertThat(OnnxEnvironment.stackBytes(0)).isEqualTo(OnnxEnvironment.MIN_STACK_BYTES);
    assertThat(OnnxEnvironment.stackBytes(4_000)).isEqualTo(OnnxEnvironment.MIN_STACK_BYTES);
    assertThat(OnnxEnvironment.stackBytes(120_000))
        .isEqualTo(120_000 * OnnxEnvironment.STACK_BYTES_PER_COMMAND_LINE_BYTE)
        .isGreaterThan(OnnxEnvironment.MIN_STACK_BYTES);
  }

  @Test
  void shouldMeasureThisProcesssCommandLine() {
    // At least "java" and a main class or jar: a zero would size the stack for nothing.
    assertThat(OnnxEnvironment.commandLineBytes()).isGreaterThan(4);
  }

  @Test
  void shouldCreateOneEnvironmentAndHandTheSameOneToEveryCaller() {
    OrtEnvironment first = OnnxEnvironment.get();
    assertThat(OnnxEnvironment.get()).isSameAs(first).isSameAs(OrtEnvironment.getEnvironment());
  }

  @Test
  void shouldHandTheEnvironmentStartedEarlyToTheCallersAfter() {
    OnnxEnvironment.start();
    OnnxEnvironment.start();

    assertThat(OnnxEnvironment.get()).isSameAs(OrtEnvironment.getEnvironment());
  }
}
