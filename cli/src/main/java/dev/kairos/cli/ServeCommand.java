package dev.kairos.cli;

import dev.kairos.cli.deploy.BundleInstaller;
import dev.kairos.cli.deploy.DeployEndpoint;
import dev.kairos.console.ConsolePages;
import dev.kairos.gateway.Gateway;
import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.TlsOptions;
import dev.kairos.gateway.activator.ActivatorOptions;
import dev.kairos.gateway.admin.AdminOptions;
import dev.kairos.gateway.admin.AdminServer;
import dev.kairos.gateway.auth.ApiKey;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.runtime.NettyWarmUp;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.sdk.replica.ReplicaToken;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kairos serve}: the gateway in this process, one runtime child process per model version.
 */
@Command(name = "serve", description = "Serve every model of a model repository.")
final class ServeCommand implements Runnable {
  /** How long requests in progress may run once serve is asked to stop. */
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(20);

  @Option(
      names = "--models",
      description = "Model repository (default: examples/models of the Kairos checkout).")
  Path models;

  @Option(names = "--port", defaultValue = "8080", description = "Public port; 0 picks a free one.")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Interface to bind.")
  String host;

  @Option(
      names = "--replica-jvm-options",
      defaultValue = "-XX:+UseSerialGC -Xms32m -Xmx512m -XX:+ExitOnOutOfMemoryError",
      description = "JVM options of replica processes.")
  String replicaJvmOptions;

  /**
   * A host's JIT compiles a method after four times the calls it would by default. A storm of cold
   * starts into a fresh host runs its load and request paths a few dozen times each: at the default
   * thresholds the compilers spend much of the storm's CPU compiling code that the storm then
   * barely uses, beside the loads that the storm's answers wait for. Hot code is still compiled,
   * after more calls: the price is that a host under full load from its start reaches its steady
   * speed later (seconds, not minutes).
   */
  static final String HOST_JVM_OPTIONS = "-XX:CompileThresholdScaling=4";

  @Option(
      names = "--host-jvm-options",
      defaultValue = HOST_JVM_OPTIONS,
      description =
          "JVM options of shared runtime hosts, after --replica-jvm-options (default:"
              + " ${DEFAULT-VALUE}: fewer compilations while a storm of cold starts runs; an empty"
              + " value gives hosts the replicas' options alone).")
  String hostJvmOptions;

  @Option(
      names = "--replica-nice",
      defaultValue = "5",
      description =
          "How far below the gateway's the CPU priority of replica processes is (nice increment,"
              + " 0-19; 0: the same), so inference that fills the cores does not delay the"
              + " gateway's answers.")
  int replicaNice;

  @Option(
      names = "--arbiter-policy",
      defaultValue = "deadline",
      description =
          "Time-slicing policy of the arbiters of devices that models share:"
              + " deadline, fifo or weighted (default: ${DEFAULT-VALUE}).")
  String arbiterPolicy;

  @Option(
      names = "--device-sharing",
      defaultValue = "weights",
      description =
          "How models that placement puts on one device take turns on it: arbiter (the device's"
              + " arbiter grants each batch a slice, and on CPU may suspend a heavy model for a"
              + " light one), weights (on CPU, heavy models run at the lowest priority; GPUs use"
              + " the arbiter) or off (default: ${DEFAULT-VALUE}).")
  String deviceSharing;

  @Option(
      names = "--cpu-devices",
      defaultValue = "1",
      description =
          "Core sets the CPU cores are split into; placement puts each model on one and pins"
              + " its replicas there (default: ${DEFAULT-VALUE}: one set of every core).")
  int cpuDevices;

  @Option(
      names = "--hold-timeout",
      defaultValue = "30s",
      description =
          "How long a request for a model at zero replicas waits for one before a 503; never"
              + " longer than the request's own deadline (the model's timeout, 60 s by default, or"
              + " its Kairos-Timeout-Ms header).")
  String holdTimeout;

  @Option(
      names = "--autoscale-tick",
      defaultValue = "2s",
      description = "How often the autoscaler decides (concurrency is sampled every 250ms).")
  String autoscaleTick;

  @Option(
      names = "--warm-pool",
      defaultValue = "1",
      description =
          "Standby replica processes kept warm (no model yet) so that scaling from zero skips the"
              + " JVM start, however quiet it is (demand grows it to --warm-pool-max); 0 turns it"
              + " off.")
  int warmPool;

  @Option(
      names = "--warm-pool-max",
      defaultValue = "4",
      description =
          "Most standby replica processes: the pool grows past --warm-pool with the process"
              + " starts that held requests waited for in the last minute, up to this.")
  int warmPoolMax;

  @Option(
      names = "--shared-hosts",
      description =
          "Shared runtime hosts that light models (ONNX, TorchScript on the CPU) load into instead"
              + " of a process each (default: one per 8 GiB of memory, at least 1, at most one per"
              + " core and 4); 0 gives every replica a process of its own.")
  Integer sharedHosts;

  @Option(
      names = "--host-memory-budget",
      description =
          "Memory budget of each shared host for its models, e.g. 2Gi (default: a quarter of the"
              + " machine's memory over the hosts, 256Mi to 4Gi). A host evicts its least recently"
              + " used idle models to stay within it.")
  String hostMemoryBudget;

  @Option(
      names = "--host-loads",
      defaultValue = "2",
      description = "Model loads each shared host runs at once (default: ${DEFAULT-VALUE}).")
  int hostLoads;

  @Option(
      names = "--host-warm-up",
      defaultValue = "" + SharedHosts.WARM_UP_ROUNDS,
      description =
          "Warm-up rounds per shared host before serve is ready: each holds a request for a tiny"
              + " model of the platform's at zero, loads it into the host, answers and unloads"
              + " it, so the first cold starts run on compiled code. More rounds make serve's"
              + " start longer and a first storm of cold starts faster; 0 starts the hosts cold"
              + " (default: ${DEFAULT-VALUE}).")
  int hostWarmUp;

  @Option(
      names = "--prepare-models",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "After start, optimise the ONNX graphs of registered models of 1 MiB or more in the"
              + " background (one at a time, at nice 19) and keep them, so that their first scale"
              + " from zero skips the optimisation (default: on; --no-prepare-models turns it"
              + " off).")
  boolean prepareModels;

  @Option(
      names = "--max-concurrent-starts",
      description =
          "Replica processes started at once; more wait in the order of their oldest waiting"
              + " request (default: the number of cores, at least 2).")
  Integer maxConcurrentStarts;

  @Option(
      names = "--grpc-port",
      description =
          "Port of the Open Inference Protocol's gRPC service (default 8081, KServe's; a free one"
              + " when --port is 0); 0 picks a free one, -1 turns it off.")
  Integer grpcPort;

  @Option(
      names = "--admin-port",
      defaultValue = "8082",
      description = "Admin API port (loopback); 0 picks a free one.")
  int adminPort;

  @Option(
      names = "--admin-key",
      description =
          "Secret of the admin API key. Other users see it in ps: prefer the environment variable"
              + " KAIROS_ADMIN_KEY or --admin-key-file. Without any, the admin API is off.")
  String adminKey;

  @Option(
      names = "--api-keys",
      description =
          "API keys file (name, sha256 of the secret, scopes, rate; re-read when it changes)."
              + " With it, inference needs a key with an infer scope; its admin keys open the"
              + " admin API too.")
  Path apiKeys;

  @Option(
      names = "--trust-java-predictors",
      description =
          "Accept deploys of Java predictors (engine: java) without a signature. Java predictors"
              + " run code with this platform's rights; without this flag (or --trusted-keys) their"
              + " deploy is refused. Models already in the repository folder are served either way.")
  boolean trustJavaPredictors;

  @Option(
      names = "--trusted-keys",
      description =
          "PEM file of Ed25519 public keys (kairos keygen): Java predictor bundles signed by one"
              + " of them (kairos deploy --sign-with) are accepted.")
  Path trustedKeys;

  @Option(
      names = "--console",
      description =
          "Turn on the admin API and its web console (/console/ on the admin port) even without"
              + " --admin-key: the admin key is then read from --admin-key-file, or made there"
              + " (readable by you only) the first time. The key is never printed.")
  boolean console;

  @Option(
      names = "--admin-key-file",
      description =
          "File holding the admin key (made there, readable by you only, with a random key if"
              + " absent); turns the admin API on. --console keeps its key here too (default:"
              + " ~/.kairos/admin-key).")
  Path adminKeyFile;

  @Option(
      names = "--trace-dir",
      description =
          "Azure Functions 2019 trace the console's Simulate page offers (default:"
              + " ../shared/data/traces/azure-functions-2019 next to the Kairos checkout, if there).")
  Path traceDir;

  /** The admin key --console read or made, or null. */
  private String consoleSecret;

  private LocalConsole consoleData;

  @Option(names = "--tls-cert", description = "PEM certificate chain: the public port speaks TLS.")
  Path tlsCert;

  @Option(names = "--tls-key", description = "PEM private key of --tls-cert.")
  Path tlsKey;

  @Override
  public void run() {
    PrintStream out = System.out;
    Path repo = models != null ? models : defaultModels();
    NettyWarmUp.start();
    Vertx vertx = Vertx.vertx(vertxOptions());
    RouteTable routes = new RouteTable();
    // A fresh secret per run: replicas on loopback answer this gateway only, not other local users.
    ReplicaToken replicaToken = ReplicaToken.random();
    ObservedRates rates = new ObservedRates(Clock.system());
    ReplicaCommand replicaCommand =
        new ReplicaCommand(
            List.of(replicaJvmOptions.trim().split("\\s+")), replicaNice, replicaToken);
    LocalPlatform platform = platform(repo, routes, replicaCommand, rates, out);
    LocalAutoscaling autoscaling =
        new LocalAutoscaling(
            vertx,
            platform,
            ActivatorOptions.defaults()
                .withMaxWait(dev.kairos.sdk.model.Durations.parse(holdTimeout)),
            Duration.ofMillis(250),
            dev.kairos.sdk.model.Durations.parse(autoscaleTick));
    GatewayOptions options =
        GatewayOptions.defaults().withHost(host).withPort(port).withReplicaToken(replicaToken);
    if (tlsCert != null || tlsKey != null) {
      options = options.withTls(new TlsOptions(tlsCert, tlsKey));
    }
    if (adminKey != null) {
      CommandLineSecret.warn(System.err, "--admin-key", "KAIROS_ADMIN_KEY or --admin-key-file");
    }
    if ((console || adminKeyFile != null) && adminSecret() == null) {
      consoleSecret = AdminKeyFile.readOrCreate(keyFile());
    }
    ApiKeyStore keys = keys();
    if (!keys.enforced() && !isLoopback(host)) {
      System.err.println(
          "Warning: inference is open to anyone who reaches "
              + host
              + ":"
              + port
              + " (no --api-keys); give --api-keys, or keep --host on 127.0.0.1.");
    }
    Gateway gateway =
        new Gateway(vertx, options, routes, keys, Clock.system(), autoscaling.activator());
    rates.countFrom(
        () -> {
          Map<String, Long> counts = new java.util.HashMap<>();
          gateway.metrics().modelTotals().forEach((m, t) -> counts.put(m, t.requests()));
          return counts;
        });
    int bound = gateway.listen().toCompletionStage().toCompletableFuture().join();
    String url = "http://" + host + ":" + bound;
    int grpcAsked = grpcPort != null ? grpcPort : port == 0 ? 0 : 8081;
    int grpcBound =
        grpcAsked < 0
            ? -1
            : gateway.listenGrpc(grpcAsked).toCompletionStage().toCompletableFuture().join();
    BundleInstaller installer = new BundleInstaller(repo, 4L << 30, 100_000, trust());
    repair(installer, out);
    AdminServer admin =
        startAdmin(vertx, gateway, platform, autoscaling, installer, routes, keys, out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  // Drain first: the public port takes no new connections, requests in progress
                  // finish on replicas that are still up; only then do the replicas stop.
                  out.println("Stopping: finishing requests in progress...");
                  gateway.shutdown(SHUTDOWN_GRACE).toCompletionStage().toCompletableFuture().join();
                  out.println(
                      "Stopping " + platform.replicaPids().size() + " replica processes...");
                  if (consoleData != null) {
                    consoleData.close();
                  }
                  if (admin != null) {
                    admin.close().toCompletionStage().toCompletableFuture().join();
                  }
                  autoscaling.close();
                  platform.close();
                  vertx.close();
                  stopped.countDown();
                },
                "kairos-shutdown"));
    out.println("Kairos gateway listening on " + url + " (models from " + repo + ")");
    if (grpcBound >= 0) {
      out.println(
          "Kairos gRPC listening on "
              + host
              + ":"
              + grpcBound
              + " (inference.GRPCInferenceService)");
    }
    int serving = platform.loadAll().join();
    autoscaling.start();
    if (prepareModels) {
      platform.prepareModels();
    }
    int total = routes.all().size();
    String example = routes.all().isEmpty() ? "<model>" : routes.all().iterator().next().name();
    out.println(
        "Kairos ready: "
            + serving
            + " of "
            + total
            + " models serving on "
            + url
            + "  (try: curl "
            + url
            + "/v2/models/"
            + example
            + ")");
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The platform with its shared hosts (started and listening before this returns), its warm pool
   * sized by demand and its one start queue, all held to the machine's memory.
   */
  private LocalPlatform platform(
      Path repo,
      RouteTable routes,
      ReplicaCommand replicaCommand,
      ObservedRates rates,
      PrintStream out) {
    int cores = Runtime.getRuntime().availableProcessors();
    HostSizing sizing =
        HostSizing.of(
            MemoryAdmission.meminfo("MemTotal:"),
            cores,
            sharedHosts,
            hostMemoryBudget == null
                ? null
                : dev.kairos.runtime.host.HostConfig.parseBytes(
                    "--host-memory-budget", hostMemoryBudget));
    if (hostWarmUp < 0) {
      throw new IllegalArgumentException("--host-warm-up = " + hostWarmUp + ", must be >= 0");
    }
    if (hostLoads < 1) {
      throw new IllegalArgumentException("--host-loads = " + hostLoads + ", must be >= 1");
    }
    if (maxConcurrentStarts != null && maxConcurrentStarts < 1) {
      throw new IllegalArgumentException(
          "--max-concurrent-starts = " + maxConcurrentStarts + ", must be >= 1");
    }
    if (warmPool < 0 || warmPoolMax < 0) {
      throw new IllegalArgumentException(
          "--warm-pool = " + warmPool + ", --warm-pool-max = " + warmPoolMax + ": must be >= 0");
    }
    java.util.concurrent.ScheduledExecutorService timer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kairos-starts");
              t.setDaemon(true);
              return t;
            });
    LocalPlatform[] self = new LocalPlatform[1];
    MemoryAdmission memory =
        MemoryAdmission.ofMachine(
            () ->
                self[0] == null
                    ? List.of()
                    : self[0].processPids().stream().map(MemoryAdmission::residentBytes).toList());
    WarmPool pool =
        warmPool > 0
            ? new WarmPool(
                Math.max(0, warmPool),
                Math.max(warmPool, warmPoolMax),
                replicaCommand,
                new ColdStartRate(Clock.system(), Duration.ofMinutes(1)),
                memory::fitsProcess)
            : null;
    if (pool != null) {
      timer.scheduleWithFixedDelay(pool::resize, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
    }
    ReplicaPlacement placement =
        ReplicaPlacement.local(
            new SharedDevices(arbiterPolicy),
            DeviceSharing.parse(deviceSharing),
            cpuDevices,
            rates);
    SharedHosts hosts = null;
    if (sizing.hosts() > 0) {
      hosts =
          new SharedHosts(
              replicaCommand.withMoreJvmOptions(List.of(hostJvmOptions.trim().split("\\s+"))),
              placement.hostSites(),
              sizing.budgetBytes(),
              hostLoads,
              BundleInstaller.trustedPredictors(repo),
              out);
      hosts.start(sizing.hosts(), hostWarmUp).join();
    }
    int processStarts = maxConcurrentStarts != null ? maxConcurrentStarts : Math.max(2, cores);
    StartQueue starts =
        new StartQueue(
            processStarts, Math.max(1, sizing.hosts() * hostLoads), memory::fitsProcess, timer);
    self[0] =
        new LocalPlatform(
            new ModelRepository(repo),
            routes,
            replicaCommand,
            out,
            pool,
            placement,
            hosts,
            starts,
            new WaitingRequests(Clock.system()));
    return self[0];
  }

  /** Longest an event loop may run one task before Vert.x reports it, with its stack. */
  static final long MAX_EVENT_LOOP_MILLIS = 800;

  /**
   * An event loop serves every connection it holds, the public gateway's and the admin API's: one
   * held for most of a second stalls them all. Vert.x reports such a loop, with the stack of what
   * held it, well before its own defaults (2 s, stack from 5 s) would.
   */
  static VertxOptions vertxOptions() {
    return new VertxOptions()
        .setPreferNativeTransport(true)
        .setMaxEventLoopExecuteTime(MAX_EVENT_LOOP_MILLIS)
        .setMaxEventLoopExecuteTimeUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(200)
        .setBlockedThreadCheckIntervalUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
        .setWarningExceptionTime(MAX_EVENT_LOOP_MILLIS)
        .setWarningExceptionTimeUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** The admin API behind one admin key, or null when no key was given. */
  private AdminServer startAdmin(
      Vertx vertx,
      Gateway gateway,
      LocalPlatform platform,
      LocalAutoscaling autoscaling,
      BundleInstaller installer,
      RouteTable routes,
      ApiKeyStore keys,
      PrintStream out) {
    if (adminSecret() == null && apiKeys == null) {
      out.println(
          "Admin API off (set KAIROS_ADMIN_KEY or give --admin-key-file to turn it on, or"
              + " --console for the web console)");
      return null;
    }
    LocalPlatformControl control =
        new LocalPlatformControl(
            platform,
            autoscaling,
            LocalPlatformControl.store(installer),
            java.util.concurrent.Executors.newCachedThreadPool(
                r -> {
                  Thread t = new Thread(r, "kairos-platform");
                  t.setDaemon(true);
                  return t;
                }));
    AdminServer admin =
        new AdminServer(vertx, AdminOptions.defaults().withPort(adminPort), control, routes, keys);
    admin.install(new SupervisionEndpoint(autoscaling));
    admin.install(new DeployEndpoint(vertx, installer, control, 1L << 30));
    consoleData =
        new LocalConsole(vertx, gateway, platform, autoscaling, control, admin, traceDir());
    int bound = admin.listen().toCompletionStage().toCompletableFuture().join();
    String adminUrl = "http://" + AdminOptions.defaults().host() + ":" + bound;
    out.println("Admin API on " + adminUrl);
    out.println(
        "Console on "
            + adminUrl
            + ConsolePages.PATH
            + " (sign in with "
            + (consoleSecret != null
                ? "the admin key in " + keyFile()
                : adminSecret() != null
                    ? "the secret of KAIROS_ADMIN_KEY or --admin-key"
                    : "an admin key of --api-keys")
            + ")");
    return admin;
  }

  private dev.kairos.cli.deploy.PredictorTrust trust() {
    try {
      return new dev.kairos.cli.deploy.PredictorTrust(
          trustJavaPredictors,
          trustedKeys == null
              ? List.of()
              : dev.kairos.cli.deploy.BundleSignature.readPublicKeys(trustedKeys));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read --trusted-keys " + trustedKeys, e);
    }
  }

  /** Finishes deploys and undeploys that a crash interrupted, before anything is served. */
  private static void repair(BundleInstaller installer, PrintStream out) {
    try {
      for (String line : installer.recover()) {
        out.println("Model repository: " + line);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot repair the model repository", e);
    }
  }

  private String adminSecret() {
    String secret = adminKey != null ? adminKey : System.getenv("KAIROS_ADMIN_KEY");
    return secret == null || secret.isBlank() ? consoleSecret : secret;
  }

  private Path keyFile() {
    return adminKeyFile != null
        ? adminKeyFile
        : Path.of(System.getProperty("user.home"), ".kairos", "admin-key");
  }

  private Path traceDir() {
    if (traceDir != null) {
      return traceDir;
    }
    String home =
        System.getProperty("kairos.home", System.getenv().getOrDefault("KAIROS_HOME", "."));
    return Path.of(home, "..", "shared", "data", "traces", "azure-functions-2019").normalize();
  }

  /** The keys file (if any) plus the admin key (if any), which every reload keeps. */
  private ApiKeyStore keys() {
    String secret = adminSecret();
    List<ApiKey> admin =
        secret == null
            ? List.of()
            : List.of(ApiKeys.parseLine("admin " + ApiKeys.sha256Hex(secret) + " admin"));
    try {
      return ApiKeyStore.fromFile(apiKeys, admin);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read --api-keys " + apiKeys, e);
    }
  }

  /** Whether only this machine can reach {@code host}: a loopback name or address. */
  static boolean isLoopback(String host) {
    return host.equals("localhost")
        || host.equals("::1")
        || host.equals("[::1]")
        || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  private static Path defaultModels() {
    String home =
        System.getProperty("kairos.home", System.getenv().getOrDefault("KAIROS_HOME", "."));
    return Path.of(home, "examples", "models").normalize();
  }
}
