package dev.kairos.cli;

import dev.kairos.cli.deploy.BundleInstaller;
import dev.kairos.cli.deploy.DeployEndpoint;
import dev.kairos.gateway.Gateway;
import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.activator.ActivatorOptions;
import dev.kairos.gateway.admin.AdminOptions;
import dev.kairos.gateway.admin.AdminServer;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.gateway.time.TimeSource;
import dev.kairos.runtime.repository.ModelRepository;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
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

  @Option(
      names = "--hold-timeout",
      defaultValue = "30s",
      description = "How long a request for a model at zero replicas waits for one before a 503.")
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
              + " JVM start; 0 turns it off.")
  int warmPool;

  @Option(
      names = "--admin-port",
      defaultValue = "8081",
      description = "Admin API port (loopback); 0 picks a free one.")
  int adminPort;

  @Option(
      names = "--admin-key",
      description =
          "Secret of the admin API key (default: KAIROS_ADMIN_KEY); without one the admin API is"
              + " off.")
  String adminKey;

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
            out,
            warmPool);
    LocalAutoscaling autoscaling =
        new LocalAutoscaling(
            vertx,
            platform,
            ActivatorOptions.defaults()
                .withMaxWait(dev.kairos.sdk.model.Durations.parse(holdTimeout)),
            Duration.ofMillis(250),
            dev.kairos.sdk.model.Durations.parse(autoscaleTick));
    Gateway gateway =
        new Gateway(
            vertx,
            GatewayOptions.defaults().withHost(host).withPort(port),
            routes,
            ApiKeyStore.fixed(ApiKeys.none()),
            TimeSource.system(),
            autoscaling.activator());
    int bound = gateway.listen().toCompletionStage().toCompletableFuture().join();
    String url = "http://" + host + ":" + bound;
    AdminServer admin = startAdmin(vertx, platform, autoscaling, routes, out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println(
                      "Stopping " + platform.replicaPids().size() + " replica processes...");
                  if (admin != null) {
                    admin.close().toCompletionStage().toCompletableFuture().join();
                  }
                  autoscaling.close();
                  platform.close();
                  gateway.close().toCompletionStage().toCompletableFuture().join();
                  vertx.close();
                  stopped.countDown();
                },
                "kairos-shutdown"));
    out.println("Kairos gateway listening on " + url + " (models from " + repo + ")");
    int serving = platform.loadAll().join();
    autoscaling.start();
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

  /** The admin API behind one admin key, or null when no key was given. */
  private AdminServer startAdmin(
      Vertx vertx,
      LocalPlatform platform,
      LocalAutoscaling autoscaling,
      RouteTable routes,
      PrintStream out) {
    String secret = adminKey != null ? adminKey : System.getenv("KAIROS_ADMIN_KEY");
    if (secret == null || secret.isBlank()) {
      out.println("Admin API off (give --admin-key or KAIROS_ADMIN_KEY to turn it on)");
      return null;
    }
    ApiKeys keys =
        new ApiKeys(List.of(ApiKeys.parseLine("admin " + ApiKeys.sha256Hex(secret) + " admin")));
    LocalPlatformControl control = new LocalPlatformControl(platform, autoscaling);
    AdminServer admin =
        new AdminServer(
            vertx,
            AdminOptions.defaults().withPort(adminPort),
            control,
            routes,
            ApiKeyStore.fixed(keys));
    admin.install(
        new DeployEndpoint(
            vertx,
            new BundleInstaller(platform.repository().root(), 4L << 30, 100_000),
            control,
            1L << 30));
    int bound = admin.listen().toCompletionStage().toCompletableFuture().join();
    out.println("Admin API on http://" + AdminOptions.defaults().host() + ":" + bound);
    return admin;
  }

  private static Path defaultModels() {
    String home =
        System.getProperty("kairos.home", System.getenv().getOrDefault("KAIROS_HOME", "."));
    return Path.of(home, "examples", "models").normalize();
  }
}
