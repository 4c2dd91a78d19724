package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.route.Replica;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Requests to replicas through Vert.x's HTTP client: the path of a request whose body is streamed
 * from the client as it arrives (Vert.x pipes it with back-pressure).
 */
final class VertxReplicaClient implements ReplicaClient {
  private final HttpClient client;

  VertxReplicaClient(HttpClient client) {
    this.client = client;
  }

  @Override
  public Future<ReplicaRequest> request(
      HttpMethod method, Replica replica, String uri, long connectTimeoutMs, long idleTimeoutMs) {
    RequestOptions ro =
        new RequestOptions()
            .setMethod(method)
            .setHost(replica.host())
            .setPort(replica.port())
            .setURI(uri)
            .setConnectTimeout(connectTimeoutMs)
            .setIdleTimeout(idleTimeoutMs);
    return client.request(ro).map(Request::new);
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }

  private static final class Request implements ReplicaRequest {
    private final HttpClientRequest req;

    Request(HttpClientRequest req) {
      this.req = req;
    }

    @Override
    public ReplicaRequest putHeader(CharSequence name, CharSequence value) {
      req.putHeader(name, value);
      return this;
    }

    @Override
    public Future<ReplicaAnswer> send(Buffer body) {
      return req.send(body).map(Answer::new);
    }

    @Override
    public Future<ReplicaAnswer> sendStreamed(Caller from) {
      return from.streamBody(req).map(Answer::new);
    }

    @Override
    public void reset() {
      req.reset();
    }
  }

  private static final class Answer implements ReplicaAnswer {
    private final HttpClientResponse resp;

    Answer(HttpClientResponse resp) {
      this.resp = resp;
    }

    @Override
    public int statusCode() {
      return resp.statusCode();
    }

    @Override
    public String getHeader(CharSequence name) {
      return resp.getHeader(name);
    }

    @Override
    public MultiMap headers() {
      return resp.headers();
    }

    @Override
    public void discard() {
      resp.end();
    }

    @Override
    public Answer exceptionHandler(Handler<Throwable> handler) {
      resp.exceptionHandler(handler);
      return this;
    }

    @Override
    public Answer handler(Handler<Buffer> handler) {
      resp.handler(handler);
      return this;
    }

    @Override
    public Answer pause() {
      resp.pause();
      return this;
    }

    @Override
    public Answer resume() {
      resp.resume();
      return this;
    }

    @Override
    public Answer fetch(long amount) {
      resp.fetch(amount);
      return this;
    }

    @Override
    public Answer endHandler(Handler<Void> endHandler) {
      resp.endHandler(endHandler);
      return this;
    }
  }
}
