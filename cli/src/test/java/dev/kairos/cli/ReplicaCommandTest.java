package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a replica's process is started where placement put it. */
class ReplicaCommandTest {
  private final ReplicaCommand base = new ReplicaCommand(List.of("-Xmx64m"), 5);

  @Test
  void shouldRunAReplicaAtTheLowestPriorityInTheIdleSchedulingClass() {
    ReplicaSite lowest =
        new ReplicaSite("cpu0", List.of(), "0,1", "", true, false, "placed on cpu0 with resnet");

    List<String> cmd = base.placedAt(lowest).commandLine(List.of("--model-dir", "m"));

    assertThat(cmd).startsWith("taskset", "-c", "0,1", "chrt", "--idle", "0", "nice", "-n", "19");
    assertThat(Collections.indexOfSubList(cmd, List.of("--model-dir", "m")))
        .isEqualTo(cmd.size() - 2);
  }

  @Test
  void shouldKeepThePlatformsNiceAndTheNormalClassOtherwise() {
    ReplicaSite normal = new ReplicaSite("cpu0", List.of(), "", "", false, true, "placed on cpu0");

    List<String> cmd = base.placedAt(normal).commandLine(List.of());

    assertThat(cmd).startsWith("nice", "-n", "5").doesNotContain("chrt");
  }
}
