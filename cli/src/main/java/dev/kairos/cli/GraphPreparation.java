package dev.kairos.cli;

import dev.kairos.runtime.GraphPreparationMain;
import dev.kairos.runtime.engine.onnx.OptimizedGraphs;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.sdk.model.ModelConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares registered models ahead of their first request, as Triton and TensorRT build engines
 * ahead of time: ONNX Runtime's optimised graph of each model large enough for it to be kept
 * ({@link OptimizedGraphs}) is made in the background, so that the model's first scale from zero
 * creates its session from the kept graph instead of optimising on the request's path.
 *
 * <p>One process does it ({@link GraphPreparationMain}), one model at a time, at nice 19: it takes
 * the CPU only when serving leaves some, and a request never waits for it. A model asked for before
 * its turn (a replica of it is placed already) is passed over: its own load optimises it and keeps
 * the graph, as it would have without this. A request that comes while its model is being prepared
 * loads it as without preparation too (both optimise; the later entry replaces the earlier), at the
 * replica's priority rather than behind a process at the lowest one. A model deployed while serve
 * runs is queued after those registered at start; the process exits once nothing is left to
 * prepare, and starts again for the next. Light models (a file below {@link
 * OptimizedGraphs#SMALLEST_KEPT}) are never prepared, so a repository of light models starts no
 * process at all.
 */
final class GraphPreparation implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GraphPreparation.class);

  /** The lowest CPU priority: the preparation uses what nothing else wants. */
  static final int NICE = 19;

  private final ReplicaCommand command;
  private final Predicate<String> askedFor;
  private final PrintStream console;
  private final boolean graphsKept;

  /** Batches waiting for the preparing thread; guarded by this object's lock. */
  private final java.util.ArrayDeque<Batch> queued = new java.util.ArrayDeque<>();

  /** Whether the preparing thread runs; guarded by this object's lock. */
  private boolean draining;

  /** The process, while one runs: the preparing thread asks it, close() ends it. */
  private volatile Channel channel;

  private volatile boolean closed;

  /**
   * @param command how runtime processes start (JVM options, core set); run at {@link #NICE}
   * @param askedFor whether a model has had a replica placed (its own load prepares it)
   */
  GraphPreparation(ReplicaCommand command, Predicate<String> askedFor, PrintStream console) {
    this(command, askedFor, console, System.getenv());
  }

  /**
   * @param environment the one the preparation process inherits: {@code
   *     KAIROS_ONNX_GRAPH_CACHE=off} there means nothing is kept, so nothing is prepared
   */
  GraphPreparation(
      ReplicaCommand command,
      Predicate<String> askedFor,
      PrintStream console,
      java.util.Map<String, String> environment) {
    this.graphsKept = !OptimizedGraphs.turnedOff(environment);
    this.command =
        new ReplicaCommand(
            command.jvmOptions(), NICE, null, command.cpuList(), command.cudaVisibleDevices());
    this.askedFor = askedFor;
    this.console = console;
  }

  /**
   * Whether a model's first load would optimise a graph worth keeping: an ONNX Runtime model on the
   * CPU whose latest version's file is at least {@link OptimizedGraphs#SMALLEST_KEPT}.
   */
  static boolean worthPreparing(ModelDirectory d) {
    if (!d.ok()) {
      return false;
    }
    ModelConfig c = d.config();
    if (!"onnxruntime".equals(c.engine()) || c.device().isGpu() || c.isGenerative()) {
      return false;
    }
    try {
      return Files.size(d.latest().artifact()) >= OptimizedGraphs.SMALLEST_KEPT;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Prepares the models of {@code dirs} worth it, one after another, on a thread of its own, and
   * says on the console how many it prepared.
   *
   * @return completes with how many were prepared (0, starting no process, when none is worth it or
   *     graphs are not kept)
   */
  CompletableFuture<Integer> start(List<ModelDirectory> dirs) {
    return submit(dirs, true);
  }

  /**
   * Prepares a model registered while serving (a deploy), after those queued before it; the process
   * starts for it if none runs, and exits once nothing is left to prepare.
   *
   * @return completes with 1 if it was prepared, else 0
   */
  CompletableFuture<Integer> prepare(ModelDirectory dir) {
    return submit(List.of(dir), false);
  }

  private CompletableFuture<Integer> submit(List<ModelDirectory> dirs, boolean announce) {
    List<ModelDirectory> todo =
        graphsKept ? dirs.stream().filter(GraphPreparation::worthPreparing).toList() : List.of();
    Batch batch = new Batch(todo, announce);
    if (todo.isEmpty()) {
      batch.done().complete(0);
      return batch.done();
    }
    synchronized (this) {
      if (closed) {
        batch.done().complete(0);
        return batch.done();
      }
      queued.add(batch);
      if (!draining) {
        draining = true;
        Thread t = new Thread(this::drain, "graph-preparation");
        t.setDaemon(true);
        t.start();
      }
    }
    return batch.done();
  }

  /** Models queued together, and who waits for how many of them were prepared. */
  private record Batch(
      List<ModelDirectory> todo, boolean announce, CompletableFuture<Integer> done) {
    Batch(List<ModelDirectory> todo, boolean announce) {
      this(todo, announce, new CompletableFuture<>());
    }
  }

  /** The one thread that prepares: batch after batch, until none is left (or closed). */
  private void drain() {
    while (true) {
      Batch batch;
      synchronized (this) {
        batch = closed ? null : queued.poll();
        if (batch == null) {
          // under the lock, so that a batch queued from now on starts a new thread and process
          stopProcess();
          queued.forEach(b -> b.done().complete(0));
          queued.clear();
          draining = false;
          return;
        }
      }
      try {
        batch.done().complete(run(batch));
      } catch (IOException | RuntimeException e) {
        if (!closed) {
          log.warn("the preparation of models stopped: {}", e.toString());
        }
        synchronized (this) {
          stopProcess();
        }
        batch.done().complete(0);
      }
    }
  }

  private int run(Batch batch) throws IOException {
    long t0 = System.nanoTime();
    int prepared = 0;
    int passed = 0;
    for (ModelDirectory d : batch.todo()) {
      if (closed) {
        break;
      }
      if (askedFor.test(d.name())) {
        passed++;
        log.info("model={} not prepared: asked for before its turn", d.name());
        continue;
      }
      Channel c = channel;
      if (c == null) {
        c = open(); // started for the first model it has to prepare, not before
        if (c == null) {
          return prepared; // closed meanwhile
        }
      }
      String answer = c.ask(d.dir().toAbsolutePath().toString());
      log.info("{}", answer);
      if (answer.startsWith("prepared ")) {
        prepared++;
      }
    }
    if (batch.announce()) {
      console.printf(
          Locale.ROOT,
          "  models prepared ahead of their first request: %d of %d (%d asked for first) in %.1f"
              + " s%n",
          prepared,
          batch.todo().size(),
          passed,
          (System.nanoTime() - t0) / 1e9);
    }
    return prepared;
  }

  /** The preparation process, a line out and a line back per model. */
  private record Channel(Process process, Writer to, BufferedReader from) {
    String ask(String line) throws IOException {
      to.write(line + "\n");
      to.flush();
      String answer = from.readLine();
      if (answer == null) {
        throw new IOException("the preparation process exited (status " + exit(process) + ")");
      }
      return answer;
    }

    void close() {
      try {
        to.close();
      } catch (IOException e) {
        // it is gone already
      }
      process.destroy();
    }
  }

  /** Starts the process, or returns null when closed first. */
  private Channel open() throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command.commandLine(GraphPreparationMain.class, List.of()))
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    command.environment(pb.environment());
    synchronized (this) {
      if (closed) {
        return null;
      }
      Process p = pb.start();
      channel =
          new Channel(
              p,
              new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8),
              new BufferedReader(
                  new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
      return channel;
    }
  }

  /** Ends the process, if one runs; called with this object's lock held. */
  private void stopProcess() {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  private static String exit(Process p) {
    try {
      return Integer.toString(p.waitFor());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      stopProcess();
    }
  }
}
