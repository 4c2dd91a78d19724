package dev.kairos.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.generative.GenerationException;
import dev.kairos.multiplexer.arbiter.SliceRejectedException;
import dev.kairos.sdk.model.ModelConfig;
import org.junit.jupiter.api.Test;

class GenerativeReplicaTest {
  @Test
  void shouldTurnARejectedArbiterSliceIntoABusyStep() {
    var gate =
        GenerativeReplica.stepGate(
            "gpt2",
            request -> {
              throw new SliceRejectedException("deadline cannot be met");
            },
            ModelConfig.defaults("gpt2", "onnxruntime"));
    // Busy ends the step's sequences as 503 / an overloaded event, not as an engine failure (500).
    assertThatThrownBy(() -> gate.enter(4, 4, 1_000_000))
        .isInstanceOf(GenerationException.Busy.class)
        .hasMessageContaining("deadline cannot be met");
  }
}
