package dev.kairos.cli;

import dev.kairos.multiplexer.arbiter.policy.SlicePolicies;
import dev.kairos.multiplexer.arbiter.uds.ArbiterServer;
import dev.kairos.sdk.model.DeviceConfig;
import dev.kairos.sdk.time.Clock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Local mode's arbiters: one per device that models share (placement put several on it, or they
 * name the same id in {@code device.shared}), started on first use on a Unix domain socket under a
 * private temporary folder. A CPU device (a core set) may preempt: its arbiter suspends a heavy
 * runtime while a light slice runs.
 */
final class SharedDevices implements AutoCloseable {
  /** The longest a preempted heavy runtime stays suspended on a CPU device. */
  static final long PREEMPTION_LIMIT_NANOS = 100_000_000L;

  private final String policy;
  private final Map<String, ArbiterServer> arbiters = new ConcurrentHashMap<>();
  private Path folder;

  /**
   * @param policy the arbiters' policy: {@code deadline}, {@code fifo} or {@code weighted}
   */
  SharedDevices(String policy) {
    SlicePolicies.create(policy); // fail fast on an unknown name
    this.policy = policy;
  }

  /**
   * The arbiter socket a replica with this device configuration must use, starting the device's
   * arbiter if it is the first; empty when the model has its device to itself.
   */
  synchronized Optional<Path> socketFor(DeviceConfig device) {
    if (!device.isShared()) {
      return Optional.empty();
    }
    return Optional.of(socketFor(device.shared(), device.isGpu()));
  }

  /**
   * The arbiter socket of device {@code id}, starting its arbiter if it is the first to share it; a
   * CPU device's arbiter may preempt.
   */
  synchronized Path socketFor(String id, boolean gpu) {
    ArbiterServer server =
        arbiters.computeIfAbsent(
            id,
            k -> {
              try {
                if (folder == null) {
                  folder = Files.createTempDirectory("kairos-arbiters");
                }
                return ArbiterServer.start(
                    folder.resolve(k + ".sock"),
                    k,
                    SlicePolicies.create(policy),
                    Clock.system(),
                    true,
                    gpu ? 0 : PREEMPTION_LIMIT_NANOS);
              } catch (IOException e) {
                throw new UncheckedIOException("cannot start the arbiter of device " + k, e);
              }
            });
    return server.socket();
  }

  /** The runtime arguments for a replica with this device configuration. */
  List<String> runtimeArgs(DeviceConfig device) {
    return socketFor(device).map(s -> List.of("--arbiter-socket", s.toString())).orElse(List.of());
  }

  Map<String, ArbiterServer> arbiters() {
    return Map.copyOf(arbiters);
  }

  @Override
  public synchronized void close() {
    arbiters.values().forEach(ArbiterServer::close);
    arbiters.clear();
    if (folder != null) {
      try {
        Files.deleteIfExists(folder);
      } catch (IOException ignored) {
        // a leftover empty temporary folder
      }
    }
  }
}
