package dev.kairos.sdk.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BatchingConfigTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "batch of zero      | 0    | 2ms    | 256     | ''     | maxBatchSize = 0, must be between 1 and 4096",
        "batch too large    | 4097 | 2ms    | 256     | ''     | maxBatchSize = 4097, must be between 1 and 4096",
        "queue of zero      | 8    | 2ms    | 0       | ''     | maxQueueSize = 0, must be between 1 and 1000000",
        "queue too large    | 8    | 2ms    | 1000001 | ''     | maxQueueSize = 1000001, must be between 1 and 1000000",
        "delay too long     | 8    | 2h     | 256     | ''     | maxQueueDelay = 2h, must be between 0s and 1h",
        "preferred above    | 8    | 2ms    | 256     | 4 16   | preferredBatchSizes = [4, 16], each must be between 1 and maxBatchSize (8)",
        "preferred of zero  | 8    | 2ms    | 256     | 0      | preferredBatchSizes = [0], each must be between 1 and maxBatchSize (8)",
      })
  void shouldRefuseToBeBuiltWithAValueItsRulesReject(
      String label, int max, String delay, int queue, String preferred, String message) {
    List<Integer> sizes = new ArrayList<>();
    for (String s : preferred.trim().split("\\s+")) {
      if (!s.isEmpty()) {
        sizes.add(Integer.parseInt(s));
      }
    }
    assertThatThrownBy(() -> new BatchingConfig(max, Durations.parse(delay), queue, sizes))
        .isInstanceOf(InvalidKnobException.class)
        .hasMessage(message.trim());
  }

  @Test
  void shouldRefuseANegativeOrMissingDelay() {
    assertThatThrownBy(() -> new BatchingConfig(8, Duration.ofMillis(-1), 16, List.of()))
        .hasMessageStartingWith("maxQueueDelay = PT-0.001S, must be between 0s and 1h");
    assertThatThrownBy(() -> new BatchingConfig(8, null, 16, List.of()))
        .hasMessage("maxQueueDelay = nothing, must be between 0s and 1h");
  }

  @Test
  void shouldKeepItsOwnCopyOfThePreferredSizes() {
    List<Integer> sizes = new ArrayList<>(List.of(2, 4));
    BatchingConfig c = new BatchingConfig(8, Duration.ofMillis(2), 16, sizes);
    sizes.set(0, 99);
    assertThat(c.preferredBatchSizes()).containsExactly(2, 4);
    assertThat(c.admissionLimit(2)).isEqualTo(16 + 8 * 2);
  }
}
