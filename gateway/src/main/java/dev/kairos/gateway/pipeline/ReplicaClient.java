package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.route.Replica;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;

/**
 * The forward path's way to a replica: a request on a pooled keep-alive connection. {@link
 * ReplicaLinks} is the default, a Netty client on the calling event loop; {@link
 * VertxReplicaClient} (Vert.x's HTTP client) carries the requests whose body is still at the
 * client.
 */
interface ReplicaClient {
  /**
   * A request to {@code replica}, once a connection to it is had.
   *
   * @param connectTimeoutMs how long to wait for a connection (pooled or new); past it the future
   *     fails with a timeout
   * @param idleTimeoutMs how long the replica may stay silent once the request is sent; past it the
   *     answer fails with a timeout and the connection is closed
   */
  Future<ReplicaRequest> request(
      HttpMethod method, Replica replica, String uri, long connectTimeoutMs, long idleTimeoutMs);

  /** Closes every connection. */
  Future<Void> close();
}
