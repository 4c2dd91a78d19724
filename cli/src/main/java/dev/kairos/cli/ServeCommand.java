package dev.kairos.cli;

import dev.kairos.gateway.Gateway;
import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.runtime.repository.ModelVersion;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kairos serve}: the gateway in this process, one runtime child process per model version.
 */
@Command(name = "serve", description = "Serve every model of a model repository.")
final class ServeCommand implements Runnable {
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

  private final List<RuntimeProcess> processes = new CopyOnWriteArrayList<>();

  @Override
  public void run() {
    PrintStream out = System.out;
    Path repo = models != null ? models : defaultModels();
    List<ModelDirectory> dirs = new ModelRepository(repo).scan();
    Vertx vertx = Vertx.vertx();
    RouteTable routes = new RouteTable();
    Gateway gateway =
        new Gateway(vertx, GatewayOptions.defaults().withHost(host).withPort(port), routes);
    int bound = join(gateway.listen().toCompletionStage().toCompletableFuture());
    String url = "http://" + host + ":" + bound;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println("Stopping " + processes.size() + " replica processes...");
                  processes.parallelStream().forEach(p -> p.stop(5_000));
                  gateway.close();
                  vertx.close();
                  stopped.countDown();
                },
                "kairos-shutdown"));
    out.println("Kairos gateway listening on " + url + " (models from " + repo + ")");

    List<CompletableFuture<Void>> loads = new ArrayList<>();
    AtomicInteger serving = new AtomicInteger();
    for (ModelDirectory dir : dirs) {
      ModelRoute route = routes.model(dir.name());
      if (!dir.ok()) {
        route.markFailed(dir.error());
        out.println("  " + dir.name() + ": FAILED: " + dir.error());
        continue;
      }
      route.setTraffic(dir.config().traffic());
      List<CompletableFuture<Boolean>> versions = new ArrayList<>();
      for (ModelVersion v : dir.versions()) {
        versions.add(startReplica(out, dir, v, route));
      }
      loads.add(
          CompletableFuture.allOf(versions.toArray(CompletableFuture[]::new))
              .thenRun(
                  () -> {
                    if (versions.stream().anyMatch(CompletableFuture::join)) {
                      route.markReady();
                      serving.incrementAndGet();
                    } else {
                      route.markFailed("no version could be loaded");
                    }
                  }));
    }
    CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new)).join();
    out.println(
        "Kairos ready: "
            + serving.get()
            + " of "
            + dirs.size()
            + " models serving on "
            + url
            + "  (try: curl "
            + url
            + "/v2/models/"
            + (dirs.isEmpty() ? "<model>" : dirs.get(0).name())
            + ")");
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private CompletableFuture<Boolean> startReplica(
      PrintStream out, ModelDirectory dir, ModelVersion v, ModelRoute route) {
    String label = dir.name() + " v" + v.version();
    out.println("  " + label + ": loading " + dir.dir().relativize(v.artifact()));
    long started = System.nanoTime();
    RuntimeProcess p;
    try {
      p =
          RuntimeProcess.start(
              dir.dir(), v.version(), List.of(replicaJvmOptions.trim().split("\\s+")));
    } catch (java.io.IOException e) {
      out.println("  " + label + ": FAILED: cannot start a replica process: " + e.getMessage());
      return CompletableFuture.completedFuture(false);
    }
    processes.add(p);
    return p.ready()
        .handle(
            (replicaPort, err) -> {
              if (err != null) {
                out.println("  " + label + ": FAILED: " + rootMessage(err));
                processes.remove(p);
                return false;
              }
              route
                  .version(v.version())
                  .add(new Replica(label + "#" + p.pid(), "127.0.0.1", replicaPort));
              out.printf(
                  Locale.ROOT,
                  "  %s: ready (replica pid %d on 127.0.0.1:%d, %.1f s)%n",
                  label,
                  p.pid(),
                  replicaPort,
                  (System.nanoTime() - started) / 1e9);
              return true;
            });
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null
        && (t.getMessage() == null || t instanceof java.util.concurrent.CompletionException)) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  private static Path defaultModels() {
    String home =
        System.getProperty("kairos.home", System.getenv().getOrDefault("KAIROS_HOME", "."));
    return Path.of(home, "examples", "models").normalize();
  }

  private static <T> T join(CompletableFuture<T> f) {
    return f.join();
  }
}
