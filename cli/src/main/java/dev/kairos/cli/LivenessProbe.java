package dev.kairos.cli;

import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.ReplicaSet;
import dev.kairos.sdk.time.Clock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds replicas that are alive but stuck (stopped, deadlocked, an event loop that never comes
 * back) and have them replaced: every {@code period} each replica that takes traffic is asked
 * {@code GET /v2/health/live} with a {@code timeout}, one probe at a time per replica; after {@code
 * failures} probes in a row without an answer its process is killed and the supervisor replaces it,
 * with the same back-off as after a crash. A replica is so taken for hung only after {@code
 * failures x timeout} without a word.
 *
 * <p>The arbiter pauses heavy replicas on shared CPU devices (SIGSTOP) for a slice at most, far
 * below one timeout; a probe sent during a pause is answered when it ends. The timeout is generous
 * because a replica starved of CPU on a loaded machine (a JVM starting beside it, a long GC) is
 * slow, not hung, and killing it would only add a start to the load.
 */
final class LivenessProbe implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LivenessProbe.class);

  /**
   * @param period how often each replica is probed
   * @param timeout how long a probe waits for its answer
   * @param failures probes in a row without an answer that make a replica hung
   */
  record Options(Duration period, Duration timeout, int failures) {
    static Options defaults() {
      return new Options(Duration.ofSeconds(2), Duration.ofSeconds(5), 3);
    }
  }

  private final LocalPlatform platform;
  private final ScheduledExecutorService executor;
  private final Options options;
  private final Clock clock;
  private final LivenessCount count;
  private final HttpClient http;
  private final ExecutorService answers;
  private final Set<String> probing = ConcurrentHashMap.newKeySet();
  private ScheduledFuture<?> task;

  LivenessProbe(
      LocalPlatform platform, ScheduledExecutorService executor, Options options, Clock clock) {
    this.platform = platform;
    this.executor = executor;
    this.options = options;
    this.clock = clock;
    this.count = new LivenessCount(options.failures(), clock);
    // its own thread: the scheduler's threads also start and stop processes, and a probe's answer
    // must not wait behind them and count as a miss
    this.answers =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "kairos-liveness");
              t.setDaemon(true);
              return t;
            });
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(options.timeout())
            .executor(answers)
            .build();
  }

  void start() {
    long every = options.period().toMillis();
    task = executor.scheduleWithFixedDelay(this::probeAll, every, every, TimeUnit.MILLISECONDS);
  }

  /** Sends one probe to every local replica that takes traffic; answers come asynchronously. */
  void probeAll() {
    Set<String> present = new HashSet<>();
    for (ModelRoute route : platform.routes().all()) {
      for (Map.Entry<String, ReplicaSet> v : route.versions().entrySet()) {
        for (Replica r : v.getValue().all()) {
          if (r.draining() || !platform.runs(r.id())) {
            continue; // stopping on purpose, or not a process of this platform
          }
          present.add(r.id());
          probe(route.name(), v.getKey(), r);
        }
      }
    }
    count.retain(present);
  }

  private void probe(String model, String version, Replica r) {
    if (!probing.add(r.id())) {
      return; // the last probe is still waiting for its answer
    }
    HttpRequest req =
        HttpRequest.newBuilder(
                URI.create("http://" + r.host() + ":" + r.port() + "/v2/health/live"))
            .timeout(options.timeout())
            .GET()
            .build();
    http.sendAsync(req, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (resp, err) -> {
              probing.remove(r.id());
              if (err == null && resp.statusCode() == 200) {
                count.answered(r.id());
                return;
              }
              LivenessCount.Failing hung = count.missed(r.id());
              if (hung == null) {
                return;
              }
              count.answered(r.id()); // counted once: it is replaced now
              String why =
                  String.format(
                      Locale.ROOT,
                      "hung: %d liveness probes in a row unanswered within %d ms (%.1f s)",
                      hung.count(),
                      options.timeout().toMillis(),
                      (clock.monotonicNanos() - hung.sinceNanos()) / 1e9);
              log.warn("model={} version={} replica {} {}", model, version, r.id(), why);
              platform.replaceHung(model, version, r.id(), why);
            });
  }

  @Override
  public void close() {
    if (task != null) {
      task.cancel(false);
    }
    answers.shutdownNow();
  }
}
