package dev.kairos.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.gateway.support.Await;
import dev.kairos.gateway.support.GatewayFixture;
import dev.kairos.sdk.grpc.proto.GRPCInferenceServiceGrpcClient;
import dev.kairos.sdk.grpc.proto.ModelReadyRequest;
import dev.kairos.sdk.grpc.proto.RepositoryModelUnloadRequest;
import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The public gRPC port: inference behind the API keys, and no repository RPC at all. */
class GrpcDoorTest {
  private final GatewayFixture f = new GatewayFixture();

  @AfterEach
  void close() {
    f.close();
  }

  private <Req, Resp> GrpcStatus call(
      GrpcClient client, int port, ServiceMethod<Resp, Req> method, Req message, String key) {
    Future<GrpcStatus> status =
        client
            .request(SocketAddress.inetSocketAddress(port, "127.0.0.1"), method)
            .compose(
                req -> {
                  if (key != null) {
                    req.headers().set("authorization", "Bearer " + key);
                  }
                  return req.send(message);
                })
            .compose(resp -> resp.last().transform(ar -> Future.succeededFuture(resp.status())));
    return Await.result(status);
  }

  @Test
  void shouldServeNoRepositoryRpcOnThePublicPortEvenToAnAdminKey() {
    f.serve("mlp", "1", f.backend("a"));
    ApiKeys keys =
        new ApiKeys(
            List.of(
                ApiKeys.parseLine("ops " + ApiKeys.sha256Hex("ops-secret") + " admin,infer:*")));
    f.start(GatewayFixture.options(), ApiKeyStore.fixed(keys));
    int port = Await.result(f.gateway().listenGrpc(0));
    GrpcClient client = GrpcClient.client(f.vertx);

    assertThat(
            call(
                client,
                port,
                GRPCInferenceServiceGrpcClient.RepositoryModelUnload,
                RepositoryModelUnloadRequest.newBuilder().setModelName("mlp").build(),
                "ops-secret"))
        .isEqualTo(GrpcStatus.UNIMPLEMENTED);
    assertThat(
            call(
                client,
                port,
                GRPCInferenceServiceGrpcClient.ModelReady,
                ModelReadyRequest.newBuilder().setName("mlp").build(),
                "ops-secret"))
        .isEqualTo(GrpcStatus.OK);
  }
}
