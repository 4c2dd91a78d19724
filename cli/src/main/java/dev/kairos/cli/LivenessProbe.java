package dev.kairos.cli;

import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.ReplicaSet;
import dev.kairos.sdk.time.Clock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds replicas and runtime hosts that are alive but stuck (stopped, deadlocked, an event loop
 * that never comes back) and have them replaced: every {@code period} each replica process that
 * takes traffic, and each runtime host, is asked {@code GET /v2/health/live} with a {@code
 * timeout}, one probe at a time per process; after {@code failures} probes in a row without an
 * answer its process is killed and the supervisor replaces it, with the same back-off as after a
 * crash (a host's models come back as after a host crash). A replica is so taken for hung only
 * after {@code failures x timeout} without a word.
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
  private final ExecutorService probes;
  private final Set<String> probing = ConcurrentHashMap.newKeySet();
  private ScheduledFuture<?> task;

  LivenessProbe(
      LocalPlatform platform, ScheduledExecutorService executor, Options options, Clock clock) {
    this.platform = platform;
    this.executor = executor;
    this.options = options;
    this.clock = clock;
    this.count = new LivenessCount(options.failures(), clock);
    // Their own threads: the scheduler's threads also start and stop processes, and a probe's
    // answer must not wait behind them and count as a miss.
    this.probes =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "kairos-liveness");
              t.setDaemon(true);
              return t;
            });
  }

  void start() {
    long every = options.period().toMillis();
    task = executor.scheduleWithFixedDelay(this::probeAll, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * Sends one probe to every local replica process that takes traffic and to every serving runtime
   * host (a stuck host holds all its models); answers come asynchronously.
   */
  void probeAll() {
    Set<String> present = new HashSet<>();
    for (ModelRoute route : platform.routes().all()) {
      for (Map.Entry<String, ReplicaSet> v : route.versions().entrySet()) {
        for (Replica r : v.getValue().all()) {
          if (r.draining() || !platform.runs(r.id())) {
            continue; // stopping on purpose, or not a process of this platform
          }
          present.add(r.id());
          String model = route.name();
          String version = v.getKey();
          probe(
              r.id(),
              r.host(),
              r.port(),
              why -> {
                log.warn("model={} version={} replica {} {}", model, version, r.id(), why);
                platform.replaceHung(model, version, r.id(), why);
              });
        }
      }
    }
    for (RuntimeHost h : platform.hosts()) {
      if (h.serving()) {
        String id = "runtime host " + h.number() + " (pid " + h.pid() + ")";
        present.add(id);
        probe(
            id,
            "127.0.0.1",
            h.port(),
            why -> {
              log.warn("{} {}", id, why);
              platform.replaceHungHost(h, why);
            });
      }
    }
    count.retain(present);
  }

  /**
   * Probes one process; after {@code failures} misses in a row, {@code hung} is told why (once).
   */
  private void probe(String id, String host, int port, Consumer<String> hung) {
    if (!probing.add(id)) {
      return; // the last probe is still waiting for its answer
    }
    CompletableFuture.supplyAsync(() -> live(host, port), probes)
        .whenComplete(
            (live, err) -> {
              probing.remove(id);
              if (err == null && live) {
                count.answered(id);
                return;
              }
              LivenessCount.Failing failing = count.missed(id);
              if (failing == null) {
                return;
              }
              count.answered(id); // counted once: it is replaced now
              hung.accept(
                  String.format(
                      Locale.ROOT,
                      "hung: %d liveness probes in a row unanswered within %d ms (%.1f s)",
                      failing.count(),
                      options.timeout().toMillis(),
                      (clock.monotonicNanos() - failing.sinceNanos()) / 1e9));
            });
  }

  /**
   * One {@code GET /v2/health/live} on a connection of its own, closed after the answer: a probe
   * holds no pooled connection to the process between probes.
   */
  private boolean live(String host, int port) {
    int timeout = (int) options.timeout().toMillis();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), timeout);
      s.setSoTimeout(timeout);
      s.getOutputStream()
          .write(
              ("GET /v2/health/live HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String status =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      return status != null && status.startsWith("HTTP/1.1 200 ");
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (task != null) {
      task.cancel(false);
    }
    probes.shutdownNow();
  }
}
