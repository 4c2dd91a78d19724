package dev.kairos.multiplexer.arbiter.uds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcessSignalsTest {
  /** The state letter of /proc/PID/stat: S sleeping, T stopped. */
  private static char state(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return stat.charAt(stat.lastIndexOf(')') + 2);
  }

  @Test
  void shouldStopAndContinueARealProcessAndContinueItOnClose() throws Exception {
    Process child = new ProcessBuilder("/bin/sleep", "60").start();
    try {
      long pid = child.pid();
      try (ProcessSignals signals = new ProcessSignals()) {
        signals.stop(pid);
        await().until(() -> state(pid) == 'T');
        signals.resume(pid);
        await().until(() -> state(pid) == 'S');
        signals.stop(pid);
        await().until(() -> state(pid) == 'T');
      }
      // closing continued what it had stopped
      await().until(() -> state(pid) == 'S');
    } finally {
      child.destroyForcibly().waitFor();
    }
  }

  @Test
  void shouldNeverStopItsOwnProcess() throws Exception {
    try (ProcessSignals signals = new ProcessSignals()) {
      signals.stop(ProcessHandle.current().pid());
      assertThat(state(ProcessHandle.current().pid())).isNotEqualTo('T');
    }
  }
}
