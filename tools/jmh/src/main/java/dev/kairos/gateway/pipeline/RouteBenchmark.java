package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.metrics.GatewayMetrics;
import dev.kairos.gateway.resilience.Breakers;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.sdk.oip.OipPath;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The gateway's per-request routing work, through the code the gateway runs: parse the path, find
 * the model, then {@link ReplicaChooser} (version by traffic weights, replica by the power of two
 * choices, an in-flight slot within the replica's capacity and its breaker's permission), and give
 * both back as an answered request does. It sits in the gateway's {@code pipeline} package to reach
 * the chooser without making it public.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteBenchmark {
  /** An inference caller: the chooser bounds POSTs by each replica's capacity. */
  private static final Caller INFER =
      new Caller() {
        @Override
        public HttpMethod method() {
          return HttpMethod.POST;
        }

        @Override
        public String header(CharSequence name) {
          return null;
        }

        @Override
        public String secret() {
          return null;
        }

        @Override
        public String askedDeadline() {
          return null;
        }

        @Override
        public long declaredLength() {
          return -1;
        }

        @Override
        public boolean gone() {
          return false;
        }

        @Override
        public void onGone(Runnable then) {}

        @Override
        public void readBody(long limit, Consumer<Buffer> then, Runnable overLimit) {}

        @Override
        public void pauseBody() {}

        @Override
        public Future<HttpClientResponse> streamBody(HttpClientRequest to) {
          throw new UnsupportedOperationException();
        }

        @Override
        public void refuse(int status, String message, String retryAfter) {
          throw new IllegalStateException("refused: " + status + " " + message);
        }

        @Override
        public void answered(int status, MultiMap headers, Buffer body) {}

        @Override
        public HttpServerResponse passThrough() {
          return null;
        }

        @Override
        public Buffer streamError(String message) {
          return Buffer.buffer();
        }
      };

  final RouteTable routes = new RouteTable();

  /** The gateway's clock; a test sets a manual one before {@link #setUp}. */
  Clock time = Clock.system();

  ReplicaChooser chooser;

  private GatewayMetrics metrics;

  @Setup
  public void setUp() {
    // One benchmark thread: a seeded source keeps the test's traffic split deterministic.
    SplittableRandom random = new SplittableRandom(1);
    metrics = new GatewayMetrics(routes);
    chooser =
        new ReplicaChooser(() -> random, new Breakers(GatewayOptions.defaults().breaker(), time));
    for (int m = 0; m < 1000; m++) {
      ModelRoute route = routes.model("model-" + m);
      for (int v = 1; v <= 2; v++) {
        for (int r = 0; r < 4; r++) {
          route
              .version(Integer.toString(v))
              .add(new Replica(m + "-" + v + "-" + r, "127.0.0.1", 9000 + r, 64));
        }
      }
      route.setTraffic(Map.of("1", 90, "2", 10));
      route.markReady();
    }
  }

  @Benchmark
  public Replica routeRequest() {
    OipPath p = OipPath.parse("/v2/models/model-417/infer");
    Call call =
        new Call(
            INFER, p.model(), p.version(), null, false, true, metrics, time, time.monotonicNanos());
    call.route = routes.find(p.model());
    if (chooser.choose(call, null) != ReplicaChooser.Outcome.CHOSEN) {
      throw new IllegalStateException("no replica chosen");
    }
    // What the relay stage does when the answer arrives: the slot back, the breaker told.
    Replica r = call.replica;
    r.release();
    chooser.breakerOf(r).onSuccess(time.monotonicNanos() - call.startNanos);
    return r;
  }
}
