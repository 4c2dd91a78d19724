package dev.kairos.cli;

import dev.kairos.gateway.Gateway;
import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.TlsOptions;
import dev.kairos.gateway.admin.AdminOptions;
import dev.kairos.gateway.admin.AdminServer;
import dev.kairos.gateway.admin.PlatformControl;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.gateway.time.TimeSource;
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

  @Option(
      names = "--api-keys",
      description =
          "API keys file (name, sha256 of the key, scopes; reloaded when it changes). With it,"
              + " inference requests need a key with an infer scope.")
  Path apiKeys;

  @Option(
      names = "--admin-port",
      defaultValue = "8081",
      description = "Admin API port (always needs an admin key); 0 picks a free one.")
  int adminPort;

  @Option(
      names = "--admin-host",
      defaultValue = "127.0.0.1",
      description = "Interface of the admin API (default loopback only).")
  String adminHost;

  @Option(
      names = "--admin-key",
      defaultValue = "${env:KAIROS_ADMIN_KEY}",
      description = "Admin key of this server (env KAIROS_ADMIN_KEY); one is made up if absent.")
  String adminKey;

  @Option(
      names = "--tls-cert",
      description = "PEM certificate chain: serve the public port over TLS.")
  Path tlsCert;

  @Option(names = "--tls-key", description = "PEM private key for --tls-cert.")
  Path tlsKey;

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
    GatewayOptions options = GatewayOptions.defaults().withHost(host).withPort(port);
    if (tlsCert != null || tlsKey != null) {
      options = options.withTls(new TlsOptions(tlsCert, tlsKey));
    }
    boolean madeUpKey = adminKey == null || adminKey.isBlank();
    String secret = madeUpKey ? AdminKeys.newSecret() : adminKey.trim();
    ApiKeyStore keys = AdminKeys.store(apiKeys, secret);
    Gateway gateway = new Gateway(vertx, options, routes, keys, TimeSource.system());
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
    AdminServer admin = null;
    // The admin API needs the platform's PlatformControl; it starts once LocalPlatform has one.
    Object control = platform;
    if (control instanceof PlatformControl pc) {
      admin =
          new AdminServer(
              vertx, new AdminOptions(adminHost, adminPort, 1L << 20), pc, routes, keys);
      int adminBound = admin.listen().toCompletionStage().toCompletableFuture().join();
      out.println(
          "Admin API on http://"
              + adminHost
              + ":"
              + adminBound
              + (madeUpKey
                  ? " (admin key for this run: export KAIROS_ADMIN_KEY=" + secret + ")"
                  : " (admin key from --admin-key / KAIROS_ADMIN_KEY)"));
    }
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
