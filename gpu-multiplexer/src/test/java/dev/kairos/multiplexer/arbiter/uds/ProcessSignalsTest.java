package dev.kairos.multiplexer.arbiter.uds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
  void shouldContinueWhatItStoppedWhenItsOwnerDiesWithoutClosing() throws Exception {
    // The owner's death closes the shell's input without any CONT having been sent.
    Process child = new ProcessBuilder("/bin/sleep", "60").start();
    Process shell = new ProcessBuilder("/bin/bash", "-c", ProcessSignals.SHELL).start();
    try {
      long pid = child.pid();
      shell.getOutputStream().write(("STOP " + pid + "\n").getBytes(StandardCharsets.US_ASCII));
      shell.getOutputStream().flush();
      await().until(() -> state(pid) == 'T');
      shell.getOutputStream().close();
      await().until(() -> state(pid) == 'S');
      assertThat(shell.waitFor(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      shell.destroyForcibly().waitFor();
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
