package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Hosts spread over placement's CPU devices, real child processes: each is pinned to its device's
 * cores, a load goes to a host on the device placement names, and a load for a device without a
 * host goes to any.
 */
class SharedHostsOnDevicesTest {
  private static ReplicaSite device(String id) {
    // both on core 0, which every machine has: what is checked is the pinning and the choice
    return new ReplicaSite(id, List.of(), "0", "", -1, false, "test device " + id);
  }

  private static String allowedCores(long pid) throws Exception {
    return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
        .filter(l -> l.startsWith("Cpus_allowed_list:"))
        .map(l -> l.substring(l.indexOf(':') + 1).trim())
        .findFirst()
        .orElseThrow();
  }

  @Test
  void shouldPinEachHostToItsDeviceAndLoadWherePlacementSays() throws Exception {
    ModelDirectory mlp =
        new ModelRepository(Path.of("..", "examples", "models"))
            .scan().stream().filter(d -> d.name().equals("mlp")).findFirst().orElseThrow();
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    try (SharedHosts hosts =
        new SharedHosts(
            new ReplicaCommand(List.of("-Xmx256m"), 0),
            List.of(device("cpu0"), device("cpu1")),
            256L << 20,
            2,
            null,
            new PrintStream(console, true, StandardCharsets.UTF_8))) {
      assertThat(hosts.start(2).get(3, TimeUnit.MINUTES)).isEqualTo(2);
      assertThat(hosts.hosts()).extracting(RuntimeHost::device).containsExactly("cpu0", "cpu1");
      for (RuntimeHost h : hosts.hosts()) {
        assertThat(allowedCores(h.pid())).as("cores of %s", h).isEqualTo("0");
      }
      assertThat(console.toString(StandardCharsets.UTF_8)).contains("on cpu1 cores 0");

      SharedHosts.Placed onCpu1 = hosts.load(mlp, mlp.latest(), "cpu1").get(60, TimeUnit.SECONDS);
      assertThat(onCpu1.host().device()).isEqualTo("cpu1");
      hosts.unload(onCpu1.id()).get(30, TimeUnit.SECONDS);
      SharedHosts.Placed onCpu0 = hosts.load(mlp, mlp.latest(), "cpu0").get(60, TimeUnit.SECONDS);
      assertThat(onCpu0.host().device()).isEqualTo("cpu0");
      // a device with no host: any host that does not hold the model yet
      SharedHosts.Placed elsewhere =
          hosts.load(mlp, mlp.latest(), "cpu7").get(60, TimeUnit.SECONDS);
      assertThat(elsewhere.host().device()).isEqualTo("cpu1");
    }
  }
}
