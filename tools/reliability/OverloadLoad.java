// Load generator for tools/reliability/overload.sh: closed loop (to measure a model's capacity) or
// open loop at fixed rates in phases (to overload it), recording every request's status and
// latency. Latency is measured from the moment the request was due, so a generator that falls
// behind shows it instead of hiding it (no coordinated omission).
//
//   java -cp 'cli/target/lib/*' tools/reliability/OverloadLoad.java closed URL BODY DEADLINE_MS CONCURRENCY SECONDS
//   java -cp 'cli/target/lib/*' tools/reliability/OverloadLoad.java open URL BODY DEADLINE_MS RATE:SECONDS[,RATE:SECONDS...]
//
// closed prints "capacity <ok per second>"; open prints one line per second and one per phase.

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

public class OverloadLoad {
  static final int OK = 0, REJECTED = 1, TIMEOUT = 2, OTHER = 3;

  /** Outcomes of the requests due in one second. */
  static final class Second {
    final long[] count = new long[4];
    final Latencies okNanos = new Latencies();
    final Latencies rejectedNanos = new Latencies();
    long sent;
  }

  static HttpClient client;
  static Buffer body;
  static String url;
  static long deadlineMs;

  public static void main(String[] a) throws Exception {
    String mode = a[0];
    url = a[1];
    body = Buffer.buffer(Files.readAllBytes(Path.of(a[2])));
    deadlineMs = Long.parseLong(a[3]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
            new PoolOptions().setHttp1MaxSize(Integer.getInteger("connections", 2048)).setMaxWaitQueueSize(-1));
    if (mode.equals("closed")) {
      closed(vertx, Integer.parseInt(a[4]), Integer.parseInt(a[5]));
    } else {
      open(vertx, a[4]);
    }
    vertx.close().await();
  }

  static Future<Integer> send() {
    RequestOptions ro =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(url)
            .setIdleTimeout(deadlineMs + 5_000)
            .putHeader("Content-Type", "application/json")
            .putHeader("Kairos-Timeout-Ms", Long.toString(deadlineMs));
    return client
        .request(ro)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> resp.statusCode()));
  }

  static int kind(int status) {
    return status == 200 ? OK : status == 429 || status == 503 ? REJECTED : status == 504 ? TIMEOUT : OTHER;
  }

  static void closed(Vertx vertx, int concurrency, int seconds) throws InterruptedException {
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    AtomicLong ok = new AtomicLong();
    AtomicLong other = new AtomicLong();
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      vertx.runOnContext(v -> loop(end, ok, other, done));
    }
    done.await();
    double s = (System.nanoTime() - start) / 1e9;
    System.out.printf(Locale.ROOT, "capacity %.1f ok/s (%d ok, %d not ok, %d clients, %.1f s)%n",
        ok.get() / s, ok.get(), other.get(), concurrency, s);
  }

  static void loop(long end, AtomicLong ok, AtomicLong other, CountDownLatch done) {
    if (System.nanoTime() >= end) {
      done.countDown();
      return;
    }
    send().onComplete(ar -> {
      if (ar.succeeded() && ar.result() == 200) {
        ok.incrementAndGet();
      } else {
        other.incrementAndGet();
      }
      loop(end, ok, other, done);
    });
  }

  /**
   * With -Dpreopen=true: opens the pool's connections before anything is measured (n concurrent GETs of the gateway's
   * liveness), so an overload phase measures how requests are answered, not a storm of TCP
   * handshakes on the cores the gateway shares with the generator.
   */
  static void openConnections(int n) {
    String live = url.substring(0, url.indexOf("/v2/")) + "/v2/health/live";
    List<Future<Integer>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(live))
          .compose(req -> req.send())
          .compose(resp -> resp.body().map(b -> resp.statusCode())));
    }
    Future.join(all).await();
  }

  static void open(Vertx vertx, String phaseSpec) throws InterruptedException {
    String[] phases = phaseSpec.split(",");
    double[] rate = new double[phases.length];
    int[] secs = new int[phases.length];
    int total = 0;
    for (int i = 0; i < phases.length; i++) {
      String[] p = phases[i].split(":");
      rate[i] = Double.parseDouble(p[0]);
      secs[i] = Integer.parseInt(p[1]);
      total += secs[i];
    }
    if (Boolean.getBoolean("preopen")) {
      openConnections(Integer.getInteger("connections", 2048));
    }
    Second[] seconds = new Second[total];
    for (int i = 0; i < total; i++) {
      seconds[i] = new Second();
    }
    long start = System.nanoTime();
    AtomicLong outstanding = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(1);
    long[] sent = new long[1];
    double[] due = new double[1];
    long[] last = {start};
    int totalSeconds = total;
    vertx.setPeriodic(1, id -> {
      long now = System.nanoTime();
      int sec = (int) ((now - start) / 1_000_000_000L);
      if (sec >= totalSeconds) {
        vertx.cancelTimer(id);
        finished.countDown();
        return;
      }
      // which phase this second is in, and its rate
      int acc = 0, ph = 0;
      while (ph < secs.length - 1 && sec >= acc + secs[ph]) {
        acc += secs[ph];
        ph++;
      }
      due[0] += rate[ph] * (now - last[0]) / 1e9;
      last[0] = now;
      while (sent[0] < (long) due[0]) {
        sent[0]++;
        long intended = now; // due within the last millisecond
        Second s = seconds[sec];
        s.sent++;
        outstanding.incrementAndGet();
        send().onComplete(ar -> {
          long took = System.nanoTime() - intended;
          int k = ar.succeeded() ? kind(ar.result()) : OTHER;
          synchronized (s) {
            s.count[k]++;
            if (k == OK) {
              s.okNanos.add(took);
            } else if (k == REJECTED) {
              s.rejectedNanos.add(took);
            }
          }
          outstanding.decrementAndGet();
        });
      }
    });
    finished.await();
    long waitUntil = System.nanoTime() + (deadlineMs + 10_000) * 1_000_000L;
    while (outstanding.get() > 0 && System.nanoTime() < waitUntil) {
      Thread.sleep(50); // the tool waits for stragglers; not a test
    }
    System.out.println("second phase rate sent ok rejected timeout other ok_p99_ms rejected_p99_ms");
    int sec = 0;
    for (int ph = 0; ph < phases.length; ph++) {
      Second sum = new Second();
      for (int i = 0; i < secs[ph]; i++, sec++) {
        Second s = seconds[sec];
        System.out.printf(Locale.ROOT, "%d %d %.0f %d %d %d %d %d %.1f %.1f%n", sec, ph, rate[ph], s.sent,
            s.count[OK], s.count[REJECTED], s.count[TIMEOUT], s.count[OTHER], p99(s.okNanos), p99(s.rejectedNanos));
        sum.sent += s.sent;
        for (int k = 0; k < 4; k++) {
          sum.count[k] += s.count[k];
        }
        sum.okNanos.addAll(s.okNanos);
        sum.rejectedNanos.addAll(s.rejectedNanos);
      }
      System.out.printf(Locale.ROOT,
          "phase %d: rate %.0f/s for %d s: sent %d, ok %d (goodput %.1f/s), rejected %d, timeout %d, other %d, unanswered %d;"
              + " ok p50 %.1f p99 %.1f max %.1f ms; rejected p50 %.1f p99 %.1f max %.1f ms%n",
          ph, rate[ph], secs[ph], sum.sent, sum.count[OK], sum.count[OK] / (double) secs[ph], sum.count[REJECTED],
          sum.count[TIMEOUT], sum.count[OTHER], sum.sent - Arrays.stream(sum.count).sum(),
          pct(sum.okNanos, 50), p99(sum.okNanos), pct(sum.okNanos, 100),
          pct(sum.rejectedNanos, 50), p99(sum.rejectedNanos), pct(sum.rejectedNanos, 100));
    }
  }

  /**
   * Latencies in a primitive array: boxed Longs by the hundred thousand made the generator's own
   * collections long enough to show as a stall in what it measured.
   */
  static final class Latencies {
    long[] a = new long[1024];
    int n;

    void add(long x) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = x;
    }

    void addAll(Latencies o) {
      for (int i = 0; i < o.n; i++) {
        add(o.a[i]);
      }
    }
  }

  static double p99(Latencies xs) {
    return pct(xs, 99);
  }

  static double pct(Latencies xs, double p) {
    if (xs.n == 0) {
      return Double.NaN;
    }
    long[] a = Arrays.copyOf(xs.a, xs.n);
    Arrays.sort(a);
    int i = (int) Math.ceil(p / 100.0 * a.length) - 1;
    return a[Math.max(0, Math.min(a.length - 1, i))] / 1e6;
  }
}
