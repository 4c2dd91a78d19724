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
  private final CompletableFuture<Ready> ready = new CompletableFuture<>();
  private final CompletableFuture<Void> standby = new CompletableFuture<>();
  private final CompletableFuture<Void> draining = new CompletableFuture<>();

  private RuntimeProcess(Process process) {
    this.process = process;
  }

  /**
   * Starts a replica of one model version, with extra runtime arguments (e.g. {@code
   * --arbiter-socket PATH} on a shared device).
   *
   * @return the process; {@link #ready()} completes with its port and capacity, or fails with the
   *     reason it could not load
   */
  static RuntimeProcess start(
      Path modelDir, String version, ReplicaCommand command, List<String> runtimeArgs)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model-dir", modelDir.toString(), "--version", version, "--exit-with-parent"));
    args.addAll(runtimeArgs);
    return launch(command, args);
  }

  /**
   * Starts a runtime host ({@code RuntimeMain --shared-host}) with its options (budget, loads at
   * once): no model yet; {@link #ready()} completes with its port once it listens.
   */
  static RuntimeProcess host(ReplicaCommand command, List<String> hostArgs) throws IOException {
    List<String> args = new ArrayList<>(List.of("--shared-host", "--exit-with-parent"));
    args.addAll(hostArgs);
    return launch(command, args);
  }

  /**
   * Starts a standby replica: it warms up without a model and waits for {@link #assign}. {@link
   * #standbyReady()} completes once it waits.
   */
  static RuntimeProcess standby(ReplicaCommand command) throws IOException {
    return launch(command, List.of("--standby", "--exit-with-parent"));
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

  private static RuntimeProcess launch(ReplicaCommand command, List<String> args)
      throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command.commandLine(args))
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    // Native engines free their memory to glibc on unload; with few arenas and a low trim
    // threshold glibc hands it back to the system, so a replica's RSS falls when a model unloads
    // (tools/bench/runtime/rss.py), and a host trims its arenas after each unload (NativeHeap).
    // Setting a trim threshold also fixes glibc's mmap threshold at 128 KiB, which made every
    // larger engine allocation a fresh mapping and page faults (a ResNet-18 load took three times
    // as long): allocations up to 16 MiB come from the arenas instead. The operator's own
    // settings win.
    command.environment(pb.environment());
    pb.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
    pb.environment().putIfAbsent("MALLOC_TRIM_THRESHOLD_", "1048576");
    pb.environment().putIfAbsent("MALLOC_MMAP_THRESHOLD_", "16777216");
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
          ready.complete(Ready.parse(line.substring(RuntimeMain.READY_PREFIX.length())));
        } else if (line.startsWith(RuntimeMain.FAILED_PREFIX)) {
          ready.completeExceptionally(
              new IllegalStateException(line.substring(RuntimeMain.FAILED_PREFIX.length())));
        }
      }
    } catch (IOException | NumberFormatException e) {
      ready.completeExceptionally(e);
    }
    IllegalStateException gone =
        new IllegalStateException("replica exited before it was ready (pid " + process.pid() + ")");
    ready.completeExceptionally(gone);
    standby.completeExceptionally(gone);
  }

  CompletableFuture<Ready> ready() {
    return ready;
  }

  /**
   * What a replica reports once it serves.
   *
   * @param capacity the most requests it admits at once
   */
  record Ready(int port, int capacity) {
    /** Parses {@code N capacity=M}, the ready line after its prefix. */
    static Ready parse(String s) {
      int at = s.indexOf(RuntimeMain.CAPACITY_FIELD);
      if (at < 0) {
        throw new NumberFormatException("no capacity on the ready line: " + s);
      }
      return new Ready(
          Integer.parseInt(s.substring(0, at).trim()),
          Integer.parseInt(s.substring(at + RuntimeMain.CAPACITY_FIELD.length()).trim()));
    }
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

  /** Kills the replica at once (SIGKILL): one that is stuck would not act on SIGTERM. */
  void kill() {
    process.destroyForcibly();
  }

  /**
   * As {@link #stop(long)}, without blocking the caller: completes once the process is gone (or
   * could not be killed within 5 s of SIGKILL).
   */
  CompletableFuture<Void> stopAsync(long graceMillis) {
    process.destroy();
    return process
        .onExit()
        .completeOnTimeout(process, graceMillis, TimeUnit.MILLISECONDS)
        .thenCompose(
            p ->
                p.isAlive()
                    ? p.destroyForcibly().onExit().completeOnTimeout(p, 5, TimeUnit.SECONDS)
                    : CompletableFuture.completedFuture(p))
        .thenApply(p -> null);
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
