package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.gateway.admin.AdminOptions;
import dev.kairos.gateway.admin.AdminServer;
import dev.kairos.gateway.admin.ModelStatus;
import dev.kairos.gateway.admin.PlatformControl;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code kairos tune --admin-url --apply} against a real admin API on loopback. */
class TuneAdminApplyTest {
  private static final String KEY = "tune-test-admin-key";
  private static final ScalingConfig START =
      ScalingKnobs.apply(ScalingConfig.DEFAULT, Map.of("targetConcurrency", 2, "maxReplicas", 50));

  @TempDir Path dir;
  private Vertx vertx;
  private String adminUrl;
  private final Platform platform = new Platform();

  /**
   * Two models whose knobs live in a map. Another operator changes {@code b}'s knobs while the
   * search runs: its second read (the one apply makes before writing) finds them changed.
   */
  private static final class Platform implements PlatformControl {
    final Map<String, ScalingConfig> specs =
        new ConcurrentHashMap<>(Map.of("a", START, "b", START));
    final AtomicInteger readsOfB = new AtomicInteger();

    @Override
    public List<ModelStatus> models() {
      return List.of(model("a"), model("b"));
    }

    @Override
    public ModelStatus model(String name) {
      return new ModelStatus(
          name, ModelStatus.State.READY, null, List.of("1"), Map.of(), Map.of("1", 1));
    }

    @Override
    public CompletionStage<ModelStatus> load(String name) {
      return CompletableFuture.completedFuture(model(name));
    }

    @Override
    public CompletionStage<Void> unload(String name) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public Map<String, Integer> setTraffic(String model, Map<String, Integer> weights) {
      return weights;
    }

    @Override
    public Map<String, Object> scaling(String model) {
      if (model.equals("b") && readsOfB.incrementAndGet() == 2) {
        specs.put("b", ScalingKnobs.apply(START, Map.of("maxReplicas", 7)));
      }
      return specs.get(model).knobs();
    }

    @Override
    public Map<String, Object> setScaling(String model, Map<String, Object> changes) {
      specs.put(model, ScalingKnobs.apply(specs.get(model), changes));
      return specs.get(model).knobs();
    }
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    ApiKeys keys =
        new ApiKeys(List.of(ApiKeys.parseLine("ops " + ApiKeys.sha256Hex(KEY) + " admin")));
    AdminServer admin =
        new AdminServer(
            vertx,
            AdminOptions.defaults().withPort(0),
            platform,
            new RouteTable(),
            ApiKeyStore.fixed(keys));
    int port = admin.listen().toCompletionStage().toCompletableFuture().get();
    adminUrl = "http://127.0.0.1:" + port;
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  @Test
  void shouldApplyThroughTheAdminApiAndRefuseAModelChangedSinceTheSearchStarted() throws Exception {
    StringBuilder trace = new StringBuilder("timestamp,model\n");
    for (double s = 10; s < 3600; s += 420) { // a request every 7 minutes: misses at zero
      trace.append(s).append(",a\n").append(s + 1).append(",b\n");
    }
    Path csv = dir.resolve("trace.csv");
    Files.writeString(csv, trace);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true));
    System.setErr(new PrintStream(err, true));
    int exit;
    try {
      exit =
          new CommandLine(new TuneCommand())
              .execute(
                  "--trace",
                  csv.toString(),
                  "--admin-url",
                  adminUrl,
                  "--admin-key",
                  KEY,
                  "--service-time",
                  "300ms",
                  "--attainment",
                  "95%",
                  "--budget",
                  "10",
                  "--apply");
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    assertThat(exit).as(err.toString()).isEqualTo(3);
    assertThat(out.toString()).contains("applied to a:", "applied 1 model(s)", "1 refused");
    assertThat(err.toString())
        .contains("the scaling knobs of 'b' changed since the search started; not overwritten");
    assertThat(platform.specs.get("a")).isNotEqualTo(START);
    assertThat(platform.specs.get("a").minReplicas()).isEqualTo(1);
    assertThat(platform.specs.get("b"))
        .isEqualTo(ScalingKnobs.apply(START, Map.of("maxReplicas", 7)));
  }
}
