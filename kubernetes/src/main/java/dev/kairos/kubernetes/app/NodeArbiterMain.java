package dev.kairos.kubernetes.app;

import dev.kairos.multiplexer.arbiter.policy.SlicePolicies;
import dev.kairos.multiplexer.arbiter.uds.ArbiterServer;
import dev.kairos.sdk.time.Clock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The arbiter DaemonSet's entry point: one device arbiter per accelerator node, on a Unix socket in
 * a host directory the node's runtime pods mount; with {@code --cpu-socket}, a second arbiter for
 * the node's CPU cores, which the pods of CPU models that share their device use.
 *
 * <pre>
 * NodeArbiterMain [--socket /var/run/kairos/arbiter.sock] [--device gpu0] [--policy deadline]
 *     [--cpu-socket /var/run/kairos/arbiter-cpu.sock]
 * </pre>
 *
 * <p>Neither arbiter preempts: the runtimes are in other pods, whose process ids this one cannot
 * signal, so a heavy slice is bounded by the policy's cap instead.
 */
public final class NodeArbiterMain {
  private static final Logger log = LoggerFactory.getLogger(NodeArbiterMain.class);

  private NodeArbiterMain() {}

  public static void main(String[] args) throws Exception {
    List<ArbiterServer> servers = start(args);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  servers.forEach(ArbiterServer::close);
                  stopped.countDown();
                },
                "kairos-arbiter-shutdown"));
    stopped.await();
  }

  /** Starts the node's arbiters as {@code args} say; the caller closes them. */
  public static List<ArbiterServer> start(String[] args) throws IOException {
    Path socket = Path.of("/var/run/kairos/arbiter.sock");
    Path cpuSocket = null;
    String device = "gpu0";
    String policy = "deadline";
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--socket" -> socket = Path.of(require(args[i], value));
        case "--cpu-socket" -> cpuSocket = Path.of(require(args[i], value));
        case "--device" -> device = require(args[i], value);
        case "--policy" -> policy = require(args[i], value);
        default -> throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
      }
      i++;
    }
    SlicePolicies.create(policy); // an unknown name fails before any socket exists
    List<ArbiterServer> servers = new ArrayList<>();
    servers.add(serve(socket, device, policy));
    if (cpuSocket != null) {
      servers.add(serve(cpuSocket, "cpu", policy));
    }
    return servers;
  }

  private static ArbiterServer serve(Path socket, String device, String policy) throws IOException {
    Files.createDirectories(socket.toAbsolutePath().getParent());
    ArbiterServer server =
        ArbiterServer.start(socket, device, SlicePolicies.create(policy), Clock.system(), true);
    // runtime pods run as another user: they need write permission to connect
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
    log.info("device={} arbiter serving on {}", device, socket);
    return server;
  }

  private static String require(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException("option " + option + " needs a value");
    }
    return value;
  }
}
