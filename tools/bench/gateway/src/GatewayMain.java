import dev.kairos.gateway.Gateway;
import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.Replica;
import dev.kairos.gateway.route.RouteTable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * The Kairos gateway as the benchmark runs it: model "echo" version 1 served by one replica at
 * 127.0.0.1:{@code backendPort}. The Vert.x instance and the gateway's options are built as {@code
 * kairos serve} builds them (native transport preferred, one event loop per core: one under the
 * benchmark's {@code taskset}); the JVM's options are the benchmark runner's to choose.
 *
 * <p>Usage: {@code java -cp <gateway classpath> GatewayMain.java <port> <backendPort>}
 */
public final class GatewayMain {
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int backend = Integer.parseInt(args[1]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    RouteTable routes = new RouteTable();
    ModelRoute echo = routes.model("echo");
    echo.version("1").add(new Replica("echo-1", "127.0.0.1", backend));
    echo.markReady();
    Gateway gateway =
        new Gateway(vertx, GatewayOptions.defaults().withPort(port), routes);
    gateway
        .listen()
        .onSuccess(
            p ->
                System.out.println(
                    "kairos gateway on 127.0.0.1:" + p + " (native transport: "
                        + vertx.isNativeTransportEnabled() + ", cores seen: "
                        + Runtime.getRuntime().availableProcessors() + ")"))
        .onFailure(
            e -> {
              e.printStackTrace();
              System.exit(1);
            });
  }
}
