package dev.kairos.sdk.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A scripted OIP server on a loopback port: each exchange is answered by the next script step. */
final class FakeOipServer implements AutoCloseable {
  /** One answer: status, headers, body. */
  record Answer(int status, Map<String, String> headers, byte[] body) {}

  /** Decides the answer to a request. */
  interface Step {
    Answer answer(HttpExchange exchange, byte[] body) throws Exception;
  }

  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<Step> script = new CopyOnWriteArrayList<>();
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private int next;

  FakeOipServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(pool);
    server.createContext("/", this::handle);
    server.start();
  }

  FakeOipServer then(Step step) {
    script.add(step);
    return this;
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The "METHOD path" of each request received, in order. */
  List<String> seen() {
    return new ArrayList<>(seen);
  }

  private void handle(HttpExchange ex) throws IOException {
    byte[] body = ex.getRequestBody().readAllBytes();
    seen.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
    Step step;
    synchronized (this) {
      step = script.get(Math.min(next++, script.size() - 1));
    }
    Answer a;
    try {
      a = step.answer(ex, body);
    } catch (Exception e) {
      a = new Answer(500, Map.of(), ("{\"error\":\"" + e + "\"}").getBytes());
    }
    a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
    ex.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(a.body());
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
