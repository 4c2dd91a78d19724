package dev.kairos.runtime;

import dev.kairos.multiplexer.arbiter.ArbiterClient;
import dev.kairos.multiplexer.arbiter.uds.UnixSocketArbiterClient;
import dev.kairos.runtime.core.InferenceService;
import dev.kairos.runtime.core.WorkerConfig;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.onnx.OnnxNativeLibraries;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelVersion;
import dev.kairos.runtime.server.ReplicaTokenCheck;
import dev.kairos.runtime.server.RuntimeServer;
import dev.kairos.sdk.replica.ReplicaToken;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A runtime replica process: loads one model version and serves it on a loopback port.
 *
 * <pre>
 * java -cp ... dev.kairos.runtime.RuntimeMain --model-dir DIR [--version V] [--host H] [--port N]
 *     [--cores N] [--workers N] [--event-loops N] [--max-body-bytes N] [--arbiter-socket PATH]
 *     [--exit-with-parent]
 * </pre>
 *
 * <p>With {@code --shared-host} (and no {@code --model-dir}) the process is a runtime host that
 * loads and unloads model versions while it runs: see {@link RuntimeHostMain}.
 *
 * <p>{@code --arbiter-socket} puts the replica on a shared device: before each batch it asks that
 * device's arbiter (a Unix domain socket) for a slice, with the priority of its {@code
 * device.class}; a refused slice is answered 503. Without the option, the environment variable
 * {@value #ARBITER_SOCKET_ENV} names the socket (how a Kubernetes pod is given its node's arbiter);
 * the option wins over it.
 *
 * <p>{@code --cores} is the cores the replica may use (default: all the JVM sees); {@code
 * --workers} the batches that run on the engine at once (default 1). Each batch gets {@code cores /
 * workers} engine threads.
 *
 * <p>It reports to its parent on standard output with one line: {@code KAIROS_RUNTIME_READY port=N
 * capacity=M} once serving (M: the most requests it admits at once), or {@code
 * KAIROS_RUNTIME_FAILED <reason>} before exiting with status 3. With {@code --exit-with-parent} it
 * exits when its standard input closes, so a replica never outlives the process that started it. On
 * SIGTERM it prints {@code KAIROS_RUNTIME_DRAINING}, stops taking connections and finishes the
 * requests in progress before it exits.
 */
public final class RuntimeMain {
  public static final String READY_PREFIX = "KAIROS_RUNTIME_READY port=";

  /** Follows the port on the ready line: the most requests the replica admits at once. */
  public static final String CAPACITY_FIELD = " capacity=";

  public static final String FAILED_PREFIX = "KAIROS_RUNTIME_FAILED ";

  /**
   * With {@code --standby} the process warms up, binds its server, prints this line (followed by
   * {@code port=N}), then waits for one line on standard input holding the usual options,
   * tab-separated ({@code --model-dir\tDIR\t--version\tV}): a warm pool hands it a model that way,
   * sparing a cold start the JVM's start, warm-up and server start. Until then the server answers
   * model requests 503.
   */
  public static final String STANDBY_PREFIX = "KAIROS_RUNTIME_STANDBY";

  /**
   * Printed when the replica is asked to stop (SIGTERM): it takes no new connections from then on,
   * and finishes the requests it holds (up to {@link #DRAIN_GRACE}) before it exits. The parent
   * stops routing to it on this line.
   */
  public static final String DRAINING_PREFIX = "KAIROS_RUNTIME_DRAINING";

  /** How long a stopping replica lets its requests in progress run. */
  static final java.time.Duration DRAIN_GRACE = java.time.Duration.ofSeconds(10);

  /**
   * On SIGTERM, prints {@link #DRAINING_PREFIX} (so the parent stops routing here) and then runs
   * {@code drain}, which finishes the requests in progress and closes what the process holds.
   */
  static void drainOnShutdown(PrintStream out, String thread, Runnable drain) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println(DRAINING_PREFIX);
                  out.flush();
                  drain.run();
                },
                thread));
  }

  /** The arbiter socket when {@code --arbiter-socket} is not given. */
  public static final String ARBITER_SOCKET_ENV = "KAIROS_ARBITER_SOCKET";

  /**
   * The logger, in a holder rather than a field of this class: setting up logging is part of a
   * fresh start, and a field would do it before {@code main} starts the model's side on a thread of
   * its own (see {@link ModelStart}).
   */
  private static final class Log {
    static final Logger log = LoggerFactory.getLogger(RuntimeMain.class);
  }

  private RuntimeMain() {}

  /**
   * The options with the arbiter socket taken from {@code env} ({@value #ARBITER_SOCKET_ENV}) when
   * the command line names none: the command line wins, a blank variable counts as absent.
   */
  static Map<String, String> withArbiterFromEnvironment(
      Map<String, String> opts, Map<String, String> env) {
    String socket = env.get(ARBITER_SOCKET_ENV);
    if (!opts.containsKey("arbiter-socket") && socket != null && !socket.isBlank()) {
      opts.put("arbiter-socket", socket.trim());
    }
    return opts;
  }

  public static void main(String[] args) {
    PrintStream out = System.out;
    Map<String, String> opts;
    try {
      opts = parse(args);
    } catch (IllegalArgumentException e) {
      out.println(FAILED_PREFIX + e.getMessage());
      System.exit(2);
      return;
    }
    // Netty registers its Java Flight Recorder event types when it first allocates, which loads
    // JFR's metadata: CPU a fresh replica spends on its way to its first answer, for events nothing
    // records here. -Dio.netty.jfr.enabled=true brings them back.
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
    OnnxNativeLibraries.preferUnpacked();
    // A fresh replica's model side (model.yaml, the engine, the session) starts first, on a thread
    // of its own; this thread sets up the rest meanwhile. A standby's starts once it is assigned.
    ModelStart model = isFresh(opts) ? ModelStart.begin(Map.copyOf(opts)) : null;
    // Logging is set up here, before the threads started below log: a call made while it is being
    // set up elsewhere would be queued and replayed, with a warning.
    LoggerFactory.getILoggerFactory();
    // While the model loads; otherwise the first request pays for it on the event loop.
    NettyWarmUp.start();
    StandbyServer standby = opts.containsKey("standby") ? standby(opts, out) : null;
    if (standby != null && (!standby.fits(opts) || !opts.containsKey("model-dir"))) {
      standby.close();
      standby = null;
    }
    if (opts.containsKey("exit-with-parent")) {
      watchParent(System.in);
    }
    withArbiterFromEnvironment(opts, System.getenv());
    if (opts.containsKey("shared-host")) {
      try {
        RuntimeHostMain.run(opts, out);
      } catch (RuntimeException | Error e) {
        Log.log.debug("host start failed", e);
        out.println(FAILED_PREFIX + String.valueOf(e.getMessage()).replace('\n', ' '));
        out.flush();
        System.exit(3);
      }
      return;
    }
    try {
      int cores = intOpt(opts, "cores", Runtime.getRuntime().availableProcessors());
      int workers = intOpt(opts, "workers", 1);
      int engineThreads = engineThreads(opts);
      if (model == null) {
        model = ModelStart.begin(Map.copyOf(opts));
      }
      ReplicaTokenCheck door = door();
      ModelStart.Chosen chosen = await(model.chosen);
      ModelDirectory dir = chosen.dir();
      ModelVersion version = chosen.version();
      if (chosen.generative()) {
        if (standby != null) {
          standby.close();
        }
        GenerativeReplica.serve(
            dir,
            version,
            opts.getOrDefault("host", "127.0.0.1"),
            intOpt(opts, "port", 0),
            cores,
            intOpt(opts, "max-body-bytes", 64 << 20),
            opts.get("arbiter-socket"),
            door,
            out);
        return;
      }
      // The server is bound while the model loads, and answers model requests 503 until the model
      // is served; a standby's was bound before its assignment came.
      StandbyServer early = standby != null ? standby : StandbyServer.bind(opts, door);
      ModelStart.Loaded load = await(model.loaded);
      LoadedModel loaded = load.model();
      // On a shared device every batch asks the device's arbiter for a slice (priority from the
      // model's device class); alone on its device, the model runs unarbitrated.
      ArbiterClient arbiter =
          opts.containsKey("arbiter-socket")
              ? new UnixSocketArbiterClient(
                  Path.of(opts.get("arbiter-socket")), dev.kairos.sdk.time.Clock.system())
              : ArbiterClient.unshared();
      if (opts.containsKey("arbiter-socket")) {
        Log.log.info(
            "model={} shares its device: arbiter at {} (class {})",
            dir.name(),
            opts.get("arbiter-socket"),
            dir.config().device().workloadClass());
      }
      InferenceService service =
          new InferenceService(
              dir.name(),
              version.version(),
              dir.config(),
              loaded,
              new WorkerConfig(workers, cores),
              arbiter,
              Clock.system());
      early.models().assign(service, load.loader());
      RuntimeServer server = early.server();
      Vertx vertx = early.vertx();
      drainOnShutdown(
          out,
          "runtime-shutdown",
          () -> {
            Log.log.info(
                "model={} version={} stopping: finishing requests in progress",
                dir.name(),
                version.version());
            server.shutdown(DRAIN_GRACE).toCompletionStage().toCompletableFuture().join();
            service.close();
            arbiter.close();
            vertx.close();
          });
      Log.log.info(
          "model={} version={} serving on port {} with {} workers x {} engine threads",
          dir.name(),
          version.version(),
          server.port(),
          workers,
          engineThreads);
      out.println(READY_PREFIX + server.port() + CAPACITY_FIELD + service.admissionLimit());
      out.flush();
      profileInBackground(dir, version, loaded, engineThreads, load.memoryBytes(), load.nanos());
    } catch (RuntimeException | Error e) {
      // An Error too (an assertion in a predictor's load, a native library that does not link):
      // whoever started this process waits for one of the two lines, and must not wait in vain.
      Log.log.debug("load failed", e);
      String reason = e.getMessage() == null ? e.toString() : e.getMessage();
      out.println(FAILED_PREFIX + reason.replace('\n', ' '));
      out.flush();
      System.exit(3);
    }
  }

  /** A process started to serve one model at once: not a standby, not a runtime host. */
  private static boolean isFresh(Map<String, String> opts) {
    return opts.containsKey("model-dir")
        && !opts.containsKey("standby")
        && !opts.containsKey("shared-host");
  }

  /**
   * The engine threads of each batch: the replica's cores ({@code --cores}, default all the JVM
   * sees) shared between the batches running at once ({@code --workers}, default 1), so that
   * workers x engine threads never exceeds the cores (no oversubscription).
   */
  static int engineThreads(Map<String, String> opts) {
    int cores = intOpt(opts, "cores", Runtime.getRuntime().availableProcessors());
    return Math.max(1, cores / intOpt(opts, "workers", 1));
  }

  /**
   * The gateway's token from the environment ({@link ReplicaToken#FILE_ENV} or {@link
   * ReplicaToken#ENV}, never the command line, which {@code ps} shows): with one, only callers that
   * present it are served; a token file that is named but unreadable stops the replica.
   */
  static ReplicaTokenCheck door() {
    Optional<ReplicaToken> token = ReplicaToken.fromEnvironment(System.getenv());
    if (token.isEmpty()) {
      Log.log.info(
          "no replica token in the environment: this replica answers anyone who reaches it");
      return ReplicaTokenCheck.open();
    }
    return ReplicaTokenCheck.requiring(token.get());
  }

  /**
   * Warms up, binds the server, says so, and waits for the model to serve; exits when the parent
   * goes first.
   */
  private static StandbyServer standby(Map<String, String> opts, PrintStream out) {
    StandbyWarmUp.run();
    StandbyServer server;
    try {
      server = StandbyServer.bind(opts, door());
    } catch (RuntimeException | Error e) {
      out.println(FAILED_PREFIX + "standby cannot start its server: " + e.getMessage());
      out.flush();
      System.exit(3);
      return null;
    }
    out.println(STANDBY_PREFIX + " port=" + server.port());
    out.flush();
    StringBuilder line = new StringBuilder();
    try {
      int c;
      while ((c = System.in.read()) >= 0 && c != '\n') {
        line.append((char) c);
      }
      if (c < 0) {
        System.exit(0); // the pool went away before handing out a model
      }
    } catch (IOException e) {
      System.exit(0);
    }
    opts.remove("standby");
    try {
      opts.putAll(parse(line.toString().trim().split("\t")));
    } catch (IllegalArgumentException e) {
      out.println(FAILED_PREFIX + e.getMessage());
      out.flush();
      System.exit(2);
    }
    return server;
  }

  private static void watchParent(InputStream in) {
    Thread t =
        new Thread(
            () -> {
              try {
                while (in.read() >= 0) {
                  // the parent writes nothing; EOF means it is gone
                }
              } catch (IOException ignored) {
                // a broken pipe means the same
              }
              Log.log.info("parent process is gone, exiting");
              System.exit(0);
            },
            "parent-watch");
    t.setDaemon(true);
    t.start();
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + a + "'");
      }
      String key = a.substring(2);
      if (key.equals("exit-with-parent") || key.equals("standby") || key.equals("shared-host")) {
        out.put(key, "true");
      } else if (i + 1 < args.length) {
        out.put(key, args[++i]);
      } else {
        throw new IllegalArgumentException("option " + a + " needs a value");
      }
    }
    if (out.containsKey("shared-host") && out.containsKey("model-dir")) {
      throw new IllegalArgumentException(
          "--shared-host starts with no model: load models through the repository endpoint");
    }
    if (!out.containsKey("model-dir")
        && !out.containsKey("standby")
        && !out.containsKey("shared-host")) {
      throw new IllegalArgumentException("--model-dir is required (or --shared-host)");
    }
    return out;
  }

  /**
   * Placement reads a model's profile; where none was stored, the first load measures it (a few
   * engine calls, up to 2 s). That happens after the ready line, on a thread of its own, so it
   * never delays the first answer. A Java predictor is not profiled here: its {@code predict} is
   * the author's code, which may block or act on the world; {@code kairos profile} measures it when
   * asked.
   */
  private static void profileInBackground(
      ModelDirectory dir,
      ModelVersion version,
      LoadedModel loaded,
      int engineThreads,
      long loadMemory,
      long loadNanos) {
    if (dev.kairos.sdk.model.Isolation.JAVA_ENGINE.equals(dir.config().engine())) {
      return;
    }
    Thread t =
        new Thread(
            () ->
                dev.kairos.runtime.profile.FirstLoadProfile.ensure(
                    dir, version, loaded, engineThreads, loadMemory, loadNanos, Clock.system()),
            "first-load-profile");
    t.setDaemon(true);
    t.start();
  }

  /** Runs {@code task} on a thread of its own. */
  static <T> CompletableFuture<T> inBackground(Supplier<T> task, String thread) {
    return CompletableFuture.supplyAsync(task, r -> new Thread(r, thread).start());
  }

  /** The background task's result; its failure rethrown as it was thrown. */
  static <T> T await(CompletableFuture<T> task) {
    try {
      return task.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  static int intOpt(Map<String, String> opts, String key, int dflt) {
    String v = opts.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + " must be an integer, got '" + v + "'");
    }
  }
}
