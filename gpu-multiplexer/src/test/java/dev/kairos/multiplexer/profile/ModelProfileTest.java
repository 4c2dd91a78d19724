package dev.kairos.multiplexer.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelProfileTest {
  private static final long MS = 1_000_000L;
  private final ModelProfile resnet =
      new ModelProfile(
          "resnet50",
          "V100",
          List.of(new BatchLatency(8, 12_400_000, 14 * MS), new BatchLatency(1, 3_300_000, 4 * MS)),
          100 << 20,
          300 * MS,
          "published");

  @Test
  void shouldInterpolateBetweenMeasuredBatchSizes() {
    assertThat(resnet.p50Nanos(1)).isEqualTo(3_300_000);
    assertThat(resnet.p50Nanos(8)).isEqualTo(12_400_000);
    assertThat(resnet.p50Nanos(4)).isEqualTo(Math.round(3_300_000 + 3 / 7.0 * 9_100_000));
    assertThat(resnet.p50Nanos(16)).isEqualTo(24_800_000);
  }

  @Test
  void shouldFindTheLargestBatchWithinABudget() {
    assertThat(resnet.largestBatchWithin(8 * MS)).isEqualTo(3);
    assertThat(resnet.largestBatchWithin(MS)).isEqualTo(1);
    assertThat(resnet.largestBatchWithin(100 * MS)).isEqualTo(8);
  }

  @Test
  void shouldRoundTripThroughTheFileBesideTheModel(@TempDir Path dir) throws Exception {
    assertThat(ProfileStore.read(dir)).isEmpty();
    ProfileStore.write(dir, resnet);
    assertThat(ProfileStore.read(dir)).contains(resnet);
  }

  @Test
  void shouldRejectImpossibleLatencies() {
    assertThatThrownBy(() -> new BatchLatency(2, 5, 4))
        .hasMessageContaining("batch 2")
        .hasMessageContaining("must be 0 < p50 <= p99");
  }
}
