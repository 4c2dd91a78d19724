package dev.kairos.kubernetes.app;

import dev.kairos.multiplexer.arbiter.policy.SlicePolicies;
import dev.kairos.multiplexer.arbiter.uds.ArbiterServer;
import dev.kairos.sdk.time.Clock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The arbiter DaemonSet's entry point: one device arbiter per accelerator node, on a Unix socket in
 * a host directory the node's runtime pods mount.
 *
 * <pre>
 * NodeArbiterMain [--socket /var/run/kairos/arbiter.sock] [--device gpu0] [--policy deadline]
 * </pre>
 */
public final class NodeArbiterMain {
  private static final Logger log = LoggerFactory.getLogger(NodeArbiterMain.class);

  private NodeArbiterMain() {}

  public static void main(String[] args) throws Exception {
    Path socket = Path.of("/var/run/kairos/arbiter.sock");
    String device = "gpu0";
    String policy = "deadline";
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--socket" -> socket = Path.of(require(args[i], value));
        case "--device" -> device = require(args[i], value);
        case "--policy" -> policy = require(args[i], value);
        default -> throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
      }
      i++;
    }
    Files.createDirectories(socket.getParent());
    ArbiterServer server =
        ArbiterServer.start(socket, device, SlicePolicies.create(policy), Clock.system(), true);
    // runtime pods run as another user: they need write permission to connect
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
    log.info("device={} arbiter serving on {}", device, socket);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "kairos-arbiter-shutdown"));
    stopped.await();
  }

  private static String require(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException("option " + option + " needs a value");
    }
    return value;
  }
}
