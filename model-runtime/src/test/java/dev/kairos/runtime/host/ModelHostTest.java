package dev.kairos.runtime.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kairos.runtime.core.InferenceService;
import dev.kairos.runtime.core.ModelTooLargeException;
import dev.kairos.runtime.core.OverloadedException;
import dev.kairos.runtime.core.UnknownModelException;
import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.runtime.metrics.RuntimeMeters;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.time.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host's load, eviction and locking rules with the real ONNX engine, a fake clock and a
 * simulated resident set (each model "takes" the bytes the test gives it), so sizes are exact.
 */
class ModelHostTest {
  private static final long MIB = 1 << 20;

  @TempDir Path root;
  private final ManualClock clock = new ManualClock();
  private ObservedEngine onnx;
  private ModelHost host;

  @BeforeEach
  void engines() {
    onnx = new ObservedEngine(EngineRegistry.discover().get("onnxruntime"));
  }

  @AfterEach
  void close() {
    if (host != null) {
      host.close();
    }
  }

  private ModelHost host(long budget, int concurrentLoads, Duration idleAfter) {
    host =
        new ModelHost(
            new HostConfig(budget, concurrentLoads, idleAfter, 1, 1, 1, TrustedPredictors.none()),
            EngineRegistry.of(onnx),
            clock,
            new RuntimeMeters(),
            new FootprintMeter(onnx.rss::get));
    return host;
  }

  /** An mlp copy named {@code name} that takes {@code mib} MiB while loaded. */
  private Path mlp(String name, long mib) {
    onnx.bytesByModel.put(name, mib * MIB);
    return HostModels.copy("mlp", root, name, "");
  }

  private LoadOutcome load(String name, Path dir) {
    return host.load(name, dir, null).join();
  }

  /** One request; the fake clock is moved past the batcher's queue delay so the batch runs. */
  private InferenceResponse infer(InferenceService s) throws Exception {
    InferenceRequest r =
        new OipJsonDecoder()
            .decodeRequest(
                Files.readAllBytes(
                    dev.kairos.runtime.core.TestModels.EXAMPLES.resolve(
                        "mlp/golden/request.json")));
    CompletableFuture<InferenceResponse> answer = s.infer(r, Long.MAX_VALUE);
    clock.advance(Duration.ofMillis(10));
    return answer.get(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void shouldLogThePlatformsWarmUpModelAtDebugAndAUsersModelAtInfo() throws Exception {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ModelHost.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    ch.qos.logback.classic.Level before = logger.getLevel();
    logger.setLevel(ch.qos.logback.classic.Level.DEBUG);
    lines.start();
    logger.addAppender(lines);
    try {
      host(100 * MIB, 2, Duration.ZERO);
      String warmUp = dev.kairos.runtime.WarmUpModel.NAME;
      load(warmUp, dev.kairos.runtime.WarmUpModel.writeTo(root));
      host.unload(warmUp, null).join();
      load("a", mlp("a", 1));
      host.unload("a", null).join();

      assertThat(lines.list)
          .filteredOn(e -> e.getFormattedMessage().startsWith("model=" + warmUp + " "))
          .hasSize(2)
          .allMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.DEBUG);
      assertThat(lines.list)
          .filteredOn(e -> e.getFormattedMessage().startsWith("model=a "))
          .hasSize(2)
          .allMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.INFO);
    } finally {
      logger.detachAppender(lines);
      logger.setLevel(before);
    }
  }

  @Test
  void shouldMeasureEachModelsFootprintAtLoad() throws Exception {
    host(100 * MIB, 2, Duration.ZERO);
    LoadOutcome a = load("a", mlp("a", 30));
    assertThat(a.footprint()).isEqualTo(new Footprint(30 * MIB, true));
    assertThat(a.alreadyLoaded()).isFalse();
    assertThat(infer(host.resolve("a", null)).outputs()).hasSize(1);
    assertThat(host.usedBytes()).isEqualTo(30 * MIB);
  }

  @Test
  void shouldRunEachModelOnceInsideItsLoadSoItsFirstRequestDoesNotPayForTheFirstRun()
      throws Exception {
    host(100 * MIB, 2, Duration.ZERO);
    Path a = mlp("a", 30);
    load("a", a);
    assertThat(onnx.runsOf("a")).as("runs before any request").isEqualTo(1);
    infer(host.resolve("a", null));
    assertThat(onnx.runsOf("a")).isEqualTo(2);
    load("a", a); // already loaded: no second first run
    assertThat(onnx.runsOf("a")).isEqualTo(2);
  }

  @Test
  void shouldLoadAModelThatFailsOnMadeUpInputsAndLetItsFirstRequestRunIt() throws Exception {
    host(100 * MIB, 2, Duration.ZERO);
    onnx.failRuns.put("a", new IllegalStateException("index out of range"));
    LoadOutcome a = load("a", mlp("a", 30));
    assertThat(a.alreadyLoaded()).isFalse();
    assertThat(onnx.runsOf("a")).isEqualTo(1);
    onnx.failRuns.remove("a");
    assertThat(infer(host.resolve("a", null)).outputs()).hasSize(1);
  }

  @Test
  void shouldEvictTheLeastRecentlyUsedWhenSpaceIsNeededAndNoMore() {
    host(100 * MIB, 2, Duration.ZERO);
    load("a", mlp("a", 30));
    clock.advance(Duration.ofSeconds(1));
    load("b", mlp("b", 30));
    clock.advance(Duration.ofSeconds(1));
    load("c", mlp("c", 30));
    clock.advance(Duration.ofSeconds(1));
    host.resolve("a", null); // a is used: b is now the least recently used
    LoadOutcome d = load("d", mlp("d", 30));
    assertThat(d.evicted()).containsExactly(new ModelKey("b", "1"));
    assertThat(host.index()).extracting(v -> v.key().model()).containsOnly("a", "c", "d");
    assertThatThrownBy(() -> host.resolve("b", null)).isInstanceOf(UnknownModelException.class);
    assertThat(onnx.rss.get()).isEqualTo(100 * MIB + 90 * MIB); // b's memory was given back
  }

  @Test
  void shouldNeverEvictAModelWithRequestsInFlight() {
    host(100 * MIB, 2, Duration.ZERO);
    load("a", mlp("a", 40));
    clock.advance(Duration.ofSeconds(1));
    load("b", mlp("b", 40));
    InferenceService a = host.resolve("a", null);
    assertThat(a.tryAdmit()).isTrue(); // a request in flight on the least recently used model
    LoadOutcome c = load("c", mlp("c", 40));
    assertThat(c.evicted()).containsExactly(new ModelKey("b", "1"));
    assertThat(host.resolve("a", null)).isSameAs(a);

    assertThat(host.resolve("c", null).tryAdmit()).isTrue();
    assertThatThrownBy(() -> load("d", mlp("d", 40)))
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(OverloadedException.class)
        .hasMessageContaining("no room for model 'd'");
    assertThat(host.index()).extracting(v -> v.key().model()).contains("a", "c");
    a.leave();
  }

  @Test
  void shouldLetAnUnloadFinishTheRequestsInProgressFirst() {
    host(100 * MIB, 2, Duration.ZERO);
    load("a", mlp("a", 10));
    InferenceService a = host.resolve("a", null);
    assertThat(a.tryAdmit()).isTrue();
    CompletableFuture<List<ModelKey>> unload = host.unload("a", null);
    await().until(a::retired);
    assertThat(a.tryAdmit()).isFalse(); // out of routing and admitting nothing more
    assertThat(unload).isNotDone();
    assertThat(a.ready()).isTrue(); // its request in progress can still run
    a.leave();
    assertThat(unload.join()).containsExactly(new ModelKey("a", "1"));
    assertThat(a.ready()).isFalse();
    assertThat(onnx.rss.get()).isEqualTo(100 * MIB);
  }

  @Test
  void shouldUnloadModelsIdleLongerThanTheLimitWhateverTheSpace() {
    host(1024 * MIB, 2, Duration.ofMinutes(10));
    load("a", mlp("a", 10));
    clock.advance(Duration.ofMinutes(6));
    load("b", mlp("b", 10));
    clock.advance(Duration.ofMinutes(5));
    assertThat(host.evictIdle()).containsExactly(new ModelKey("a", "1"));
    clock.advance(Duration.ofMinutes(4));
    host.resolve("b", null);
    clock.advance(Duration.ofMinutes(9));
    assertThat(host.evictIdle()).isEmpty();
    assertThat(host.index()).extracting(v -> v.key().model()).containsExactly("b");
  }

  @Test
  void shouldRefuseAModelLargerThanTheBudgetNamingBothSizesAndKeepServingTheOthers()
      throws Exception {
    host(64 * MIB, 2, Duration.ZERO);
    load("small", mlp("small", 10));
    assertThatThrownBy(() -> load("big", mlp("big", 80)))
        .hasCauseInstanceOf(ModelTooLargeException.class)
        .hasMessageContaining("model 'big' version 1 takes 80.0 MiB (measured at load)")
        .hasMessageContaining("memory budget of 64.0 MiB");
    // Known from its measurement, a second try is refused before anything is loaded.
    assertThatThrownBy(() -> load("big", root.resolve("big")))
        .hasCauseInstanceOf(ModelTooLargeException.class)
        .hasMessageContaining("takes 80.0 MiB (measured when it was last loaded)");
    assertThat(onnx.loadsOf("big")).isEqualTo(1);
    assertThat(infer(host.resolve("small", null)).outputs()).hasSize(1);
    assertThat(onnx.rss.get()).isEqualTo(110 * MIB);
  }

  @Test
  void shouldLetASecondLoadOfTheSameModelWaitForTheFirst() {
    host(100 * MIB, 2, Duration.ZERO);
    Path dir = mlp("a", 10);
    CountDownLatch gate = new CountDownLatch(1);
    onnx.gates.put("a", gate);
    CompletableFuture<LoadOutcome> first = host.load("a", dir, null);
    await().until(() -> onnx.loadsOf("a") == 1);
    CompletableFuture<LoadOutcome> second = host.load("a", dir, "1");
    gate.countDown();
    assertThat(first.join().alreadyLoaded()).isFalse();
    assertThat(second.join().alreadyLoaded()).isTrue();
    assertThat(onnx.loadsOf("a")).isEqualTo(1);
  }

  @Test
  void shouldBoundConcurrentLoads() {
    host(100 * MIB, 1, Duration.ZERO);
    CountDownLatch gate = new CountDownLatch(1);
    onnx.gates.put("a", gate);
    CompletableFuture<LoadOutcome> a = host.load("a", mlp("a", 10), null);
    await().until(() -> onnx.loadsOf("a") == 1);
    CompletableFuture<LoadOutcome> b = host.load("b", mlp("b", 10), null);
    await().until(() -> host.loadsWaiting() == 1);
    assertThat(onnx.loadsOf("b")).isZero();
    gate.countDown();
    a.join();
    b.join();
    assertThat(onnx.mostRunning.get()).isEqualTo(1);
  }

  @Test
  void shouldRunLoadsOfDifferentModelsAtOnceUpToTheBound() {
    host(100 * MIB, 2, Duration.ZERO);
    CountDownLatch gate = new CountDownLatch(1);
    onnx.gates.put("a", gate);
    onnx.gates.put("b", gate);
    CompletableFuture<LoadOutcome> a = host.load("a", mlp("a", 10), null);
    CompletableFuture<LoadOutcome> b = host.load("b", mlp("b", 10), null);
    await().until(() -> onnx.running.get() == 2);
    gate.countDown();
    // Each saw the other's memory arrive while it was measured: marked, never under-counted.
    assertThat(List.of(a.join().footprint(), b.join().footprint()))
        .allSatisfy(f -> assertThat(f.bytes()).isGreaterThanOrEqualTo(10 * MIB));
    assertThat(a.join().footprint().alone() && b.join().footprint().alone()).isFalse();
  }

  @Test
  void shouldLeaveTheOtherModelsServingWhenALoadFails() throws Exception {
    host(100 * MIB, 2, Duration.ZERO);
    load("a", mlp("a", 10));
    Path broken = mlp("broken", 10);
    Files.write(broken.resolve("1/model.onnx"), new byte[] {1, 2, 3, 4});
    assertThatThrownBy(() -> load("broken", broken))
        .hasMessageContaining("model 'broken'")
        .hasMessageContaining("failed to load");
    assertThat(infer(host.resolve("a", null)).outputs()).hasSize(1);
    assertThat(host.index())
        .anySatisfy(
            v -> {
              assertThat(v.key().model()).isEqualTo("broken");
              assertThat(v.state()).isEqualTo("UNAVAILABLE");
              assertThat(v.reason()).contains("failed to load");
            });
    assertThat(host.usedBytes()).isEqualTo(10 * MIB);
  }

  /** Live threads other than the host's load threads (a cached pool of its own). */
  private static List<String> threadsBesideLoads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> !n.startsWith("model-load-"))
        .toList();
  }

  @Test
  void shouldStartNoThreadsOfAModelsOwnWhenItLoads() {
    host(100 * MIB, 2, Duration.ZERO);
    load("first", mlp("first", 1)); // the host's own threads start with its first model
    List<String> before = threadsBesideLoads();
    int models = 8;
    for (int i = 0; i < models; i++) {
      load("m" + i, mlp("m" + i, 1));
    }
    List<String> after = threadsBesideLoads();
    // A service with threads of its own started a codec, a batch and a timer thread per model.
    assertThat(after.size() - before.size()).isLessThan(models);
    assertThat(after).noneMatch(n -> n.matches(".*-m\\d+(-\\d+)?$"));
  }

  @Test
  void shouldServeAModelWhileAnotherModelsBatchHoldsAHostThread() throws Exception {
    host(100 * MIB, 2, Duration.ZERO);
    load("a", mlp("a", 1));
    load("b", mlp("b", 1));
    CountDownLatch gate = new CountDownLatch(1);
    onnx.runGates.put("a", gate);
    InferenceService a = host.resolve("a", null);
    InferenceRequest r =
        new OipJsonDecoder()
            .decodeRequest(
                Files.readAllBytes(
                    dev.kairos.runtime.core.TestModels.EXAMPLES.resolve(
                        "mlp/golden/request.json")));
    CompletableFuture<InferenceResponse> first = a.infer(r, Long.MAX_VALUE);
    clock.advance(Duration.ofMillis(10));
    await().until(() -> onnx.runsOf("a") == 2); // its first run at load, then this batch, held
    CompletableFuture<InferenceResponse> second = a.infer(r, Long.MAX_VALUE);
    clock.advance(Duration.ofMillis(10));

    assertThat(infer(host.resolve("b", null)).outputs()).hasSize(1);
    // a's budget is one batch at a time: its second request waits for the first, not for b
    assertThat(onnx.runsOf("a")).isEqualTo(2);
    assertThat(second).isNotDone();

    gate.countDown();
    assertThat(first.get(30, java.util.concurrent.TimeUnit.SECONDS).outputs()).hasSize(1);
    assertThat(second.get(30, java.util.concurrent.TimeUnit.SECONDS).outputs()).hasSize(1);
  }
}
