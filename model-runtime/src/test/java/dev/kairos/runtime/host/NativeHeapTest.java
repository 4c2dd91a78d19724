package dev.kairos.runtime.host;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NativeHeapTest {
  @Test
  void shouldTrimTheCHeapThroughGlibc() {
    // the platform's images and this build run on glibc: the binding must resolve and run
    assertThat(NativeHeap.trim()).isTrue();
    assertThat(NativeHeap.trim()).as("again: the binding is kept").isTrue();
  }
}
