package dev.kairos.cli;

import dev.kairos.runtime.RuntimeMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A runtime replica as a child JVM on a loopback port. The child watches its standard input and
 * exits when this process goes away, however it goes.
 */
final class RuntimeProcess {
  private final Process process;
  private final CompletableFuture<Integer> port = new CompletableFuture<>();
  private final CompletableFuture<Void> standby = new CompletableFuture<>();
  private final CompletableFuture<Void> draining = new CompletableFuture<>();

  private RuntimeProcess(Process process) {
    this.process = process;
  }

  /**
   * Starts a replica of one model version.
   *
   * @return the process; {@link #ready()} completes with its port, or fails with the reason it
   *     could not load
   */
  static RuntimeProcess start(Path modelDir, String version, List<String> jvmOptions)
      throws IOException {
    return start(modelDir, version, jvmOptions, List.of());
  }

  /**
   * Starts a replica of one model version with extra runtime arguments (e.g. {@code
   * --arbiter-socket PATH} on a shared device).
   */
  static RuntimeProcess start(
      Path modelDir, String version, List<String> jvmOptions, List<String> runtimeArgs)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model-dir", modelDir.toString(), "--version", version, "--exit-with-parent"));
    args.addAll(runtimeArgs);
    return launch(jvmOptions, args);
  }

  /**
   * Starts a standby replica: it warms up without a model and waits for {@link #assign}. {@link
   * #standbyReady()} completes once it waits.
   */
  static RuntimeProcess standby(List<String> jvmOptions) throws IOException {
    return launch(jvmOptions, List.of("--standby", "--exit-with-parent"));
  }

  /** Hands a standby replica its model; {@link #ready()} then completes as for a fresh one. */
  void assign(Path modelDir, String version) throws IOException {
    String line = "--model-dir\t" + modelDir + "\t--version\t" + version + "\n";
    process.getOutputStream().write(line.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().flush();
  }

  CompletableFuture<Void> standbyReady() {
    return standby;
  }

  private static RuntimeProcess launch(List<String> jvmOptions, List<String> args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(RuntimeMain.class.getName());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    // Native engines free their memory to glibc on unload; with few arenas and a low trim
    // threshold glibc hands it back to the system, so a replica's RSS falls when a model unloads
    // (tools/bench/runtime/rss.py). The operator's own settings win.
    pb.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
    pb.environment().putIfAbsent("MALLOC_TRIM_THRESHOLD_", "1048576");
    Process p = pb.start();
    RuntimeProcess rp = new RuntimeProcess(p);
    Thread reader = new Thread(rp::readReport, "replica-report-" + p.pid());
    reader.setDaemon(true);
    reader.start();
    return rp;
  }

  private void readReport() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith(RuntimeMain.DRAINING_PREFIX)) {
          draining.complete(null);
        } else if (line.startsWith(RuntimeMain.STANDBY_PREFIX)) {
          standby.complete(null);
        } else if (line.startsWith(RuntimeMain.READY_PREFIX)) {
          port.complete(Integer.parseInt(line.substring(RuntimeMain.READY_PREFIX.length()).trim()));
        } else if (line.startsWith(RuntimeMain.FAILED_PREFIX)) {
          port.completeExceptionally(
              new IllegalStateException(line.substring(RuntimeMain.FAILED_PREFIX.length())));
        }
      }
    } catch (IOException | NumberFormatException e) {
      port.completeExceptionally(e);
    }
    IllegalStateException gone =
        new IllegalStateException("replica exited before it was ready (pid " + process.pid() + ")");
    port.completeExceptionally(gone);
    standby.completeExceptionally(gone);
  }

  CompletableFuture<Integer> ready() {
    return port;
  }

  /** Completes when the replica says it is stopping (it was sent SIGTERM) and takes no more. */
  CompletableFuture<Void> draining() {
    return draining;
  }

  /** Completes with the exit status once the process has exited, however it went. */
  CompletableFuture<Integer> exited() {
    return process.onExit().thenApply(Process::exitValue);
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Asks the replica to stop (SIGTERM), and kills it if it has not within the grace period. */
  void stop(long graceMillis) {
    process.destroy();
    try {
      if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
