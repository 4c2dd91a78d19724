package dev.kairos.kubernetes.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kairos.sdk.replica.ReplicaToken;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The autoscaler's probe endpoints: {@code /healthz} (the process runs), {@code /readyz} (it has
 * joined the leader election), {@code /leader} (who leads, as JSON), and {@code POST /demand} (a
 * gateway holds a request for a model at zero: the leader scales it now, 202; others answer 409;
 * with a replica token configured, only callers showing it, 401 otherwise). Leader and standby are
 * both healthy and ready: a standby is doing its job.
 */
final class HealthEndpoint implements AutoCloseable {
  private final HttpServer server;

  HealthEndpoint(
      int port,
      Supplier<Boolean> ready,
      Supplier<String> leaderJson,
      java.util.function.BiPredicate<String, String> demand,
      ReplicaToken token)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 16);
    server.createContext("/healthz", ex -> send(ex, 200, "{\"status\":\"ok\"}"));
    server.createContext(
        "/readyz",
        ex ->
            send(
                ex,
                ready.get() ? 200 : 503,
                ready.get() ? "{\"status\":\"ready\"}" : "{\"error\":\"not started\"}"));
    server.createContext("/leader", ex -> send(ex, 200, leaderJson.get()));
    server.createContext(
        "/demand",
        ex -> {
          Map<String, String> q = query(ex.getRequestURI().getRawQuery());
          if (token != null
              && !token.matches(ex.getRequestHeaders().getFirst(ReplicaToken.HEADER))) {
            send(
                ex,
                401,
                "{\"error\":\"demand is taken from gateways only: missing or wrong "
                    + ReplicaToken.HEADER
                    + " header\"}");
          } else if (!"POST".equals(ex.getRequestMethod())) {
            send(ex, 405, "{\"error\":\"POST /demand?model=M[&version=V]\"}");
          } else if (q.get("model") == null) {
            send(ex, 400, "{\"error\":\"query parameter 'model' is required\"}");
          } else if (demand.test(q.get("model"), q.get("version"))) {
            send(ex, 202, "{\"status\":\"scaling\"}");
          } else {
            send(ex, 409, "{\"error\":\"not the leader, or not an autoscaled model\"}");
          }
        });
    server.start();
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw != null) {
      for (String kv : raw.split("&")) {
        String[] p = kv.split("=", 2);
        if (p.length == 2) {
          out.put(
              URLDecoder.decode(p[0], StandardCharsets.UTF_8),
              URLDecoder.decode(p[1], StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
