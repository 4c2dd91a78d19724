import dev.kairos.gateway.Gateway;
import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.RouteTable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The Kairos gateway as the benchmark runs it: one event loop, model "echo" version 1 served by
 * one replica at 127.0.0.1:{@code backendPort}. Everything else is the gateway's defaults.
 *
 * <p>Usage: {@code java -cp <gateway classpath> GatewayMain.java <port> <backendPort>}
 */
public final class GatewayMain {
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int backend = Integer.parseInt(args[1]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1).setWorkerPoolSize(2));
    RouteTable routes = new RouteTable();
    ModelRoute echo = routes.model("echo");
    echo.version("1").add(new Replica("echo-1", "127.0.0.1", backend));
    echo.markReady();
    Gateway gateway =
        new Gateway(vertx, GatewayOptions.defaults().withPort(port).withEventLoops(1), routes);
    gateway
        .listen()
        .onSuccess(
            p ->
                System.out.println(
                    "kairos gateway on 127.0.0.1:" + p + " (native transport: "
                        + vertx.isNativeTransportEnabled() + ")"))
        .onFailure(
            e -> {
              e.printStackTrace();
              System.exit(1);
            });
  }
}
