package dev.kairos.cli;

import dev.kairos.console.AutoscalerView;
import dev.kairos.console.ConsoleApi;
import dev.kairos.console.ConsolePages;
import dev.kairos.console.ConsoleSampler;
import dev.kairos.console.DecisionRecorder;
import dev.kairos.console.MetricsRing;
import dev.kairos.console.Replays;
import dev.kairos.console.ReplicaGenerationView;
import dev.kairos.gateway.Gateway;
import dev.kairos.gateway.admin.AdminServer;
import dev.kairos.gateway.admin.PlatformControl;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator console in local mode: samples the gateway's and the autoscaler's meters into a
 * {@link MetricsRing} once a second, records the autoscaler's decisions, and serves the pages and
 * their data on the admin port.
 */
final class LocalConsole implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalConsole.class);

  private final ScheduledExecutorService executor;

  LocalConsole(
      Vertx vertx,
      Gateway gateway,
      LocalPlatform platform,
      LocalAutoscaling autoscaling,
      PlatformControl control,
      AdminServer admin,
      Path azureTrace) {
    Clock clock = Clock.system();
    MetricsRing ring = MetricsRing.defaults();
    autoscaling.autoscaler().addListener(new DecisionRecorder(clock, ring));
    ConsoleSampler sampler =
        new ConsoleSampler(
            clock,
            ring,
            gateway.metrics()::modelTotals,
            platform.routes(),
            new AutoscalerView(
                autoscaling.autoscaler(), autoscaling::concurrency, autoscaling::count));
    admin.installPublic("/console", new ConsolePages());
    admin.install(
        new ConsoleApi(
            vertx,
            clock,
            ring,
            control,
            new LocalDevices(platform),
            new Replays(1),
            azureTrace,
            new ReplicaGenerationView(platform.routes())));
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kairos-console-sampler");
              t.setDaemon(true);
              return t;
            });
    executor.scheduleAtFixedRate(
        () -> {
          try {
            sampler.sample();
          } catch (RuntimeException e) {
            log.warn("console sample failed: {}", e.toString());
          }
        },
        0,
        1,
        TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
