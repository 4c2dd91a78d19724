package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Shared hosts, real child processes: each is warmed up through its load, infer and unload. */
class SharedHostsWarmUpTest {
  @Test
  void shouldLoadAnswerAndUnloadThePlatformsOwnModelThroughEveryHostBeforeStartCompletes()
      throws Exception {
    try (SharedHosts hosts =
        new SharedHosts(
            new ReplicaCommand(List.of("-Xmx256m"), 0),
            256L << 20,
            2,
            null,
            new PrintStream(new ByteArrayOutputStream(), true))) {
      assertThat(hosts.start(2).get(3, TimeUnit.MINUTES)).as("hosts warmed up").isEqualTo(2);
      for (RuntimeHost h : hosts.hosts()) {
        assertThat(h.models()).isEmpty();
        assertThat(h.index().get(30, TimeUnit.SECONDS)).as("host %s index", h).isEmpty();
      }
      // a user's model loads after it, and the warm-up's name was freed
      ModelDirectory mlp =
          new ModelRepository(Path.of("..", "examples", "models"))
              .scan().stream().filter(d -> d.name().equals("mlp")).findFirst().orElseThrow();
      SharedHosts.Placed p = hosts.load(mlp, mlp.latest()).get(60, TimeUnit.SECONDS);
      assertThat(p.host().models()).containsExactly(new RuntimeHost.Key("mlp", "1"));
    }
  }

  @Test
  void shouldStartHostsColdWithNoWarmUpRoundsAndWithTheHostsJvmOptions() throws Exception {
    try (SharedHosts hosts =
        new SharedHosts(
            new ReplicaCommand(List.of("-Xmx256m"), 0)
                .withMoreJvmOptions(List.of(ServeCommand.HOST_JVM_OPTIONS)),
            256L << 20,
            2,
            null,
            new PrintStream(new ByteArrayOutputStream(), true))) {
      assertThatThrownBy(() -> hosts.start(1, -1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("warm-up rounds = -1");
      assertThat(hosts.start(1, 0).get(3, TimeUnit.MINUTES)).as("hosts warmed up").isZero();
      RuntimeHost h = hosts.hosts().get(0);
      // the host's JVM runs with the hosts' options after the replicas'
      List<String> args =
          List.of(Files.readString(Path.of("/proc/" + h.pid() + "/cmdline")).split("\0"));
      assertThat(args).contains("-Xmx256m", ServeCommand.HOST_JVM_OPTIONS);
      assertThat(args.indexOf(ServeCommand.HOST_JVM_OPTIONS))
          .isGreaterThan(args.indexOf("-Xmx256m"));
      // a cold host serves a user's model all the same
      ModelDirectory mlp =
          new ModelRepository(Path.of("..", "examples", "models"))
              .scan().stream().filter(d -> d.name().equals("mlp")).findFirst().orElseThrow();
      SharedHosts.Placed p = hosts.load(mlp, mlp.latest()).get(60, TimeUnit.SECONDS);
      assertThat(p.host().models()).containsExactly(new RuntimeHost.Key("mlp", "1"));
    }
  }
}
