package dev.kairos.gateway.support;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A replica for tests on a real loopback port: answers OIP metadata and echoes inference requests
 * (inputs renamed to outputs), or misbehaves as told.
 */
public final class Backend {
  /** How the next requests are answered. */
  public enum Mode {
    ECHO,
    FAIL_500,
    DRAINING_503,
    /** Reads the request, then closes the connection without answering. */
    CLOSE,
    /** Holds the request until {@link #releaseHeld()}. */
    HOLD,
    /**
     * Answers a request in the binary tensor extension in kind: every input back as an output of
     * the same name, its bytes unchanged.
     */
    BINARY_ECHO,
    /** Echoes with {@code Connection: close}, then closes the connection. */
    ECHO_AND_CLOSE
  }

  private final String id;
  private final Vertx vertx;
  private final AtomicInteger received = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final CopyOnWriteArrayList<Promise<Void>> held = new CopyOnWriteArrayList<>();
  private volatile Mode mode = Mode.ECHO;
  private volatile String token;
  private volatile Buffer lastBody;
  private HttpServer server;

  public Backend(Vertx vertx, String id) {
    this.vertx = vertx;
    this.id = id;
  }

  public Backend start() {
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
    server.connectionHandler(c -> connections.incrementAndGet());
    Await.result(server.requestHandler(this::handle).listen());
    return this;
  }

  public int port() {
    return server.actualPort();
  }

  public String id() {
    return id;
  }

  public Backend mode(Mode m) {
    mode = m;
    return this;
  }

  /**
   * Answers 401, as a runtime with a replica token does, to requests without this {@code
   * Kairos-Replica-Token}.
   */
  public Backend requireToken(String secret) {
    token = secret;
    return this;
  }

  /** Inference requests received (metadata fetches not counted). */
  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  public int received() {
    return received.get();
  }

  /** The body of the last inference request, as it arrived. */
  public Buffer lastBody() {
    return lastBody;
  }

  public int heldCount() {
    return held.size();
  }

  public void releaseHeld() {
    for (Promise<Void> p : held) {
      held.remove(p);
      p.tryComplete();
    }
  }

  public void stop() {
    Await.result(server.close());
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    if (token != null && !token.equals(req.getHeader("Kairos-Replica-Token"))) {
      req.response().setStatusCode(401).end("{\"error\":\"missing or wrong replica token\"}");
      return;
    }
    if (!path.endsWith("/infer")) {
      JsonObject meta =
          new JsonObject()
              .put("name", "echo")
              .put(
                  "inputs",
                  new JsonArray()
                      .add(
                          new JsonObject()
                              .put("name", "x")
                              .put("datatype", "FP32")
                              .put("shape", new JsonArray().add(-1).add(2))));
      req.response().putHeader("Content-Type", "application/json").end(meta.encode());
      return;
    }
    req.body()
        .onSuccess(
            body -> {
              received.incrementAndGet();
              lastBody = body;
              switch (mode) {
                case FAIL_500 ->
                    req.response().setStatusCode(500).end("{\"error\":\"boom at " + id + "\"}");
                case DRAINING_503 ->
                    req.response()
                        .setStatusCode(503)
                        .putHeader("Retry-After", "1")
                        .end("{\"error\":\"draining\"}");
                case CLOSE -> req.connection().close();
                case HOLD -> {
                  Promise<Void> p = Promise.promise();
                  held.add(p);
                  p.future().onComplete(v -> echo(req, body.toString()));
                }
                case BINARY_ECHO -> binaryEcho(req, body);
                case ECHO_AND_CLOSE -> {
                  req.response().putHeader("Connection", "close");
                  echo(req, body.toString());
                }
                default -> echo(req, body.toString());
              }
            });
  }

  private void binaryEcho(HttpServerRequest req, Buffer body) {
    int jsonLength = Integer.parseInt(req.getHeader("Inference-Header-Content-Length"));
    JsonObject head = new JsonObject(body.getBuffer(0, jsonLength));
    JsonArray outputs = new JsonArray();
    for (Object o : head.getJsonArray("inputs")) {
      JsonObject in = (JsonObject) o;
      outputs.add(
          new JsonObject()
              .put("name", in.getString("name"))
              .put("datatype", in.getString("datatype"))
              .put("shape", in.getJsonArray("shape"))
              .put("parameters", in.getJsonObject("parameters")));
    }
    Buffer out = new JsonObject().put("model_name", "echo").put("outputs", outputs).toBuffer();
    int outLength = out.length();
    out.appendBuffer(body.getBuffer(jsonLength, body.length()));
    req.response()
        .putHeader("Content-Type", "application/octet-stream")
        .putHeader("Inference-Header-Content-Length", Integer.toString(outLength))
        .putHeader("X-Replica", id)
        .end(out);
  }

  private void echo(HttpServerRequest req, String body) {
    String out;
    if (body.startsWith("{") && body.contains("\"inputs\"")) {
      JsonObject r = new JsonObject(body);
      JsonArray outs = r.getJsonArray("inputs");
      for (int i = 0; i < outs.size(); i++) {
        outs.getJsonObject(i).put("name", "y");
      }
      out = new JsonObject().put("model_name", "echo").put("outputs", outs).encode();
    } else {
      out = body;
    }
    req.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Replica", id)
        .end(out);
  }
}
