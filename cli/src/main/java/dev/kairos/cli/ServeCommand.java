package dev.kairos.cli;

import dev.kairos.gateway.Gateway;
import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.runtime.repository.ModelRepository;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
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

  @Override
  public void run() {
    PrintStream out = System.out;
    Path repo = models != null ? models : defaultModels();
    Vertx vertx = Vertx.vertx();
    RouteTable routes = new RouteTable();
    LocalPlatform platform =
        new LocalPlatform(
            new ModelRepository(repo),
            routes,
            List.of(replicaJvmOptions.trim().split("\\s+")),
            out);
    Gateway gateway =
        new Gateway(vertx, GatewayOptions.defaults().withHost(host).withPort(port), routes);
    int bound = gateway.listen().toCompletionStage().toCompletableFuture().join();
    String url = "http://" + host + ":" + bound;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println(
                      "Stopping " + platform.replicaPids().size() + " replica processes...");
                  platform.close();
                  gateway.close().toCompletionStage().toCompletableFuture().join();
                  vertx.close();
                  stopped.countDown();
                },
                "kairos-shutdown"));
    out.println("Kairos gateway listening on " + url + " (models from " + repo + ")");
    int serving = platform.loadAll().join();
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

  private static Path defaultModels() {
    String home =
        System.getProperty("kairos.home", System.getenv().getOrDefault("KAIROS_HOME", "."));
    return Path.of(home, "examples", "models").normalize();
  }
}
