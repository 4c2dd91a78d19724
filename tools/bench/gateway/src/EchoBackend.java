import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;

/**
 * The benchmark's replica: a trivial OIP echo runtime on one event loop. POST bodies come back
 * unchanged (an OIP request echoed as the response), GET answers a small metadata document.
 *
 * <p>Usage: {@code java -cp <gateway classpath> EchoBackend.java <port>}
 */
public final class EchoBackend {
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1).setWorkerPoolSize(1));
    vertx
        .createHttpServer(
            new HttpServerOptions()
                .setHost("127.0.0.1")
                .setPort(port)
                .setTcpNoDelay(true)
                .setHttp2ClearTextEnabled(false))
        .requestHandler(
            req -> {
              if (req.method().name().equals("POST")) {
                req.body()
                    .onSuccess(
                        b ->
                            req.response()
                                .putHeader("Content-Type", "application/json")
                                .end(b));
              } else {
                req.response()
                    .putHeader("Content-Type", "application/json")
                    .end("{\"name\":\"echo\",\"versions\":[\"1\"],\"platform\":\"echo\"}");
              }
            })
        .listen()
        .onSuccess(s -> System.out.println("echo backend on 127.0.0.1:" + s.actualPort()))
        .onFailure(
            e -> {
              e.printStackTrace();
              System.exit(1);
            });
  }
}
