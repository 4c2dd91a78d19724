package dev.kairos.kubernetes.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The autoscaler's probe endpoints: {@code /healthz} (the process runs), {@code /readyz} (it has
 * joined the leader election), {@code /leader} (who leads, as JSON). Leader and standby are both
 * healthy and ready: a standby is doing its job.
 */
final class HealthEndpoint implements AutoCloseable {
  private final HttpServer server;

  HealthEndpoint(int port, Supplier<Boolean> ready, Supplier<String> leaderJson)
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
    server.start();
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
