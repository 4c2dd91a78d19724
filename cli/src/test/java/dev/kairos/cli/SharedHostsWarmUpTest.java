package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
}
