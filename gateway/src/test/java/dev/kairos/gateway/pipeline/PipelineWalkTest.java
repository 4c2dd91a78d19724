package dev.kairos.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kairos.gateway.support.Await;
import dev.kairos.gateway.support.Backend;
import dev.kairos.gateway.support.GatewayFixture;
import dev.kairos.sdk.grpc.proto.GRPCInferenceServiceGrpcClient;
import dev.kairos.sdk.grpc.proto.ModelMetadataRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The walk of one request through the gateway, as its {@link Call} logs it on the {@code Walk}
 * logger: every stage once, in order, never back to one it left; whatever the protocol it came in
 * by. A retry is the one walk that passes a stage twice, as a new attempt.
 *
 * <p>Run it alone: {@code mvn -pl gateway -am test -Dtest=PipelineWalkTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class PipelineWalkTest {
  private static final List<String> WHOLE_WALK =
      List.of("RECEIVED", "ADMIT", "ROUTE", "FORWARD", "RELAY", "DONE");

  private final GatewayFixture f = new GatewayFixture();
  private final Logger walk = (Logger) LoggerFactory.getLogger("dev.kairos.gateway.pipeline.Walk");
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private Level before;

  @BeforeEach
  void record() {
    before = walk.getLevel();
    walk.setLevel(Level.TRACE);
    lines.start();
    walk.addAppender(lines);
  }

  @AfterEach
  void close() {
    walk.detachAppender(lines);
    walk.setLevel(before);
    f.close();
  }

  /** The stages each call entered, by call, in the order the calls began. */
  private List<List<String>> walks() {
    Map<String, List<String>> byCall = new LinkedHashMap<>();
    for (ILoggingEvent e : List.copyOf(lines.list)) {
      Object[] args = e.getArgumentArray();
      byCall.computeIfAbsent((String) args[0], k -> new ArrayList<>()).add(args[2].toString());
    }
    return new ArrayList<>(byCall.values());
  }

  private List<String> onlyWalk() {
    await().until(() -> walks().size() == 1 && walks().get(0).contains("DONE"));
    List<String> w = walks().get(0);
    lines.list.clear();
    return w;
  }

  @Test
  void shouldWalkEveryStageOnceInOrderForEachProtocol() {
    Backend b = f.backend("a");
    f.serve("mlp", "1", b);
    f.start(GatewayFixture.options());

    assertThat(f.http.post(f.url("/v2/models/mlp/infer"), "{\"inputs\":[]}").statusCode())
        .isEqualTo(200);
    assertThat(onlyWalk()).as("OIP REST").isEqualTo(WHOLE_WALK);

    assertThat(f.http.post(f.url("/v1/models/mlp:predict"), "{\"instances\":[[1,2]]}").statusCode())
        .isEqualTo(200);
    assertThat(onlyWalk()).as("KServe v1").isEqualTo(WHOLE_WALK);

    assertThat(f.http.post(f.url("/predictions/mlp"), "[[1,2]]").statusCode()).isEqualTo(200);
    assertThat(onlyWalk()).as("DJL").isEqualTo(WHOLE_WALK);

    int port = Await.result(f.gateway().listenGrpc(0));
    GrpcClient client = GrpcClient.client(f.vertx);
    String name =
        Await.result(
            client
                .request(
                    SocketAddress.inetSocketAddress(port, "127.0.0.1"),
                    GRPCInferenceServiceGrpcClient.ModelMetadata)
                .compose(req -> req.send(ModelMetadataRequest.newBuilder().setName("mlp").build()))
                .compose(resp -> resp.last())
                .map(m -> m.getName()));
    assertThat(name).as("the test replica names itself").isEqualTo("echo");
    assertThat(onlyWalk()).as("gRPC").isEqualTo(WHOLE_WALK);
  }

  @Test
  void shouldEndARefusedCallWhereItWasRefused() {
    f.serve("mlp", "1", f.backend("a"));
    f.start(GatewayFixture.options());
    assertThat(f.http.post(f.url("/v2/models/nope/infer"), "{}").statusCode()).isEqualTo(404);
    assertThat(onlyWalk()).containsExactly("RECEIVED", "ADMIT", "DONE");
  }

  @Test
  void shouldShowARetryAsASecondAttemptThroughRouteAndForward() {
    Backend dying = f.backend("a").mode(Backend.Mode.CLOSE);
    Backend healthy = f.backend("b");
    f.serve("mlp", "1", dying);
    f.serve("mlp", "1", healthy);
    f.start(GatewayFixture.options());
    // Until the seeded choice lands on the dying replica first: then the walk has a retry in it.
    List<String> w = List.of();
    for (int i = 0; i < 20 && dying.received() == 0; i++) {
      assertThat(f.http.post(f.url("/v2/models/mlp/infer"), "{\"inputs\":[]}").statusCode())
          .isEqualTo(200);
      w = onlyWalk();
    }
    assertThat(dying.received()).isEqualTo(1);
    assertThat(w)
        .containsExactly(
            "RECEIVED", "ADMIT", "ROUTE", "FORWARD", "ROUTE", "FORWARD", "RELAY", "DONE");
  }
}
