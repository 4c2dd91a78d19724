package dev.kairos.multiplexer.arbiter.uds;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Preemption for a CPU device: suspends a runtime process (SIGSTOP) while a light slice runs and
 * continues it (SIGCONT) after. Java cannot send those signals itself, and forking {@code kill} per
 * slice costs a millisecond, so one long-lived shell reads "SIGNAL PID" lines and runs its built-in
 * {@code kill}: a pipe write per signal, tens of microseconds.
 *
 * <p>Closing continues every process this object stopped, so no runtime stays frozen. The shell
 * keeps its own list too and continues those processes when its input ends, which is also what
 * happens when this JVM dies without closing (SIGKILL): a stopped runtime cannot notice its
 * parent's death, so without this it would stay frozen forever.
 */
public final class ProcessSignals implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProcessSignals.class);

  /**
   * Reads "SIGNAL PID" lines; on end of input continues what is still stopped. It ignores SIGINT
   * and SIGTERM (a Ctrl-C reaches the whole process group), so it ends only when its input does.
   */
  static final String SHELL =
      "trap '' INT TERM; declare -A stopped; "
          + "while read -r s p; do kill -s \"$s\" \"$p\" 2>/dev/null; "
          + "if [ \"$s\" = STOP ]; then stopped[$p]=1; else unset \"stopped[$p]\"; fi; done; "
          + "for p in \"${!stopped[@]}\"; do kill -s CONT \"$p\" 2>/dev/null; done";

  private final Process shell;
  private final OutputStream commands;
  private final Set<Long> stopped = ConcurrentHashMap.newKeySet();

  public ProcessSignals() throws IOException {
    this.shell =
        new ProcessBuilder("/bin/bash", "-c", SHELL)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    this.commands = shell.getOutputStream();
  }

  public void stop(long pid) {
    if (send("STOP", pid)) {
      stopped.add(pid);
    }
  }

  public void resume(long pid) {
    stopped.remove(pid);
    send("CONT", pid);
  }

  private synchronized boolean send(String signal, long pid) {
    if (pid <= 0 || pid == ProcessHandle.current().pid()) {
      return false;
    }
    try {
      commands.write((signal + " " + pid + "\n").getBytes(StandardCharsets.US_ASCII));
      commands.flush();
      return true;
    } catch (IOException e) {
      log.warn("cannot send SIG{} to pid {}: {}", signal, pid, e.toString());
      return false;
    }
  }

  @Override
  public void close() {
    for (Long pid : stopped) {
      resume(pid);
    }
    try {
      commands.close();
      // the shell runs what it has read, then exits on end of input: wait, so a CONT is not lost
      if (!shell.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) {
        shell.destroy();
      }
    } catch (IOException ignored) {
      shell.destroy();
    } catch (InterruptedException e) {
      shell.destroy();
      Thread.currentThread().interrupt();
    }
  }
}
