package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.runtime.engine.onnx.OptimizedGraphs;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registered models prepared ahead of their first request, in a real child process: the graphs of
 * large ONNX models are kept, small ones are passed over without a process, as are models asked for
 * before their turn.
 */
class GraphPreparationTest {
  private static final Path EXAMPLES = Path.of("..", "examples", "models");

  @TempDir Path tmp;

  private final ByteArrayOutputStream console = new ByteArrayOutputStream();

  /** A plain ONNX model (no generation) from an example's file. */
  private ModelDirectory model(String name, Path onnx) throws Exception {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir.resolve("1"));
    Files.copy(onnx, dir.resolve("1/model.onnx"));
    Files.writeString(dir.resolve("model.yaml"), "name: " + name + "\nengine: onnxruntime\n");
    ModelDirectory d = ModelRepository.read(dir);
    assertThat(d.ok()).as(String.valueOf(d.error())).isTrue();
    return d;
  }

  /** Larger than {@link OptimizedGraphs#SMALLEST_KEPT}: its graph is worth keeping. */
  private ModelDirectory large(String name) throws Exception {
    ModelDirectory d = model(name, EXAMPLES.resolve("gpt2-tiny/1/model.onnx"));
    assertThat(Files.size(d.latest().artifact())).isGreaterThan(OptimizedGraphs.SMALLEST_KEPT);
    return d;
  }

  private ModelDirectory small(String name) throws Exception {
    return model(name, EXAMPLES.resolve("mlp/1/model.onnx"));
  }

  private GraphPreparation preparation(java.util.function.Predicate<String> askedFor) {
    return new GraphPreparation(
        new ReplicaCommand(List.of("-Xmx256m"), 0),
        askedFor,
        new PrintStream(console, true, StandardCharsets.UTF_8));
  }

  private static boolean kept(ModelDirectory d) throws Exception {
    Path folder = d.latest().artifact().getParent().resolve(OptimizedGraphs.FOLDER);
    if (!Files.isDirectory(folder)) {
      return false;
    }
    try (Stream<Path> s = Files.list(folder)) {
      return s.anyMatch(p -> p.getFileName().toString().endsWith(".properties"));
    }
  }

  @Test
  void shouldKeepTheGraphsOfLargeModelsAndGoOnPastOneThatFails() throws Exception {
    ModelDirectory broken = model("a-broken", EXAMPLES.resolve("gpt2-tiny/1/model.onnx"));
    Files.write(broken.latest().artifact(), new byte[(int) OptimizedGraphs.SMALLEST_KEPT + 1]);
    ModelDirectory big = large("b-large");
    ModelDirectory light = small("c-light");
    try (GraphPreparation p = preparation(m -> false)) {
      assertThat(p.start(List.of(broken, big, light)).get(3, TimeUnit.MINUTES)).isEqualTo(1);
    }
    assertThat(kept(big)).isTrue();
    assertThat(kept(broken)).isFalse();
    assertThat(kept(light)).isFalse();
    assertThat(console.toString(StandardCharsets.UTF_8))
        .contains("models prepared ahead of their first request: 1 of 2 (0 asked for first)");
  }

  @Test
  void shouldStartNoProcessForARepositoryOfLightModels() throws Exception {
    ModelDirectory light = small("light");
    try (GraphPreparation p = preparation(m -> false)) {
      CompletableFuture<Integer> done = p.start(List.of(light));
      assertThat(done).isCompletedWithValue(0);
    }
    assertThat(console.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void shouldStartNoProcessWhenKeptGraphsAreTurnedOff() throws Exception {
    ModelDirectory big = large("big");
    try (GraphPreparation p =
        new GraphPreparation(
            new ReplicaCommand(List.of("-Xmx256m"), 0),
            m -> false,
            new PrintStream(console, true, StandardCharsets.UTF_8),
            java.util.Map.of(OptimizedGraphs.VARIABLE, "off"))) {
      assertThat(p.start(List.of(big))).isCompletedWithValue(0);
    }
    assertThat(kept(big)).isFalse();
    assertThat(console.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void shouldPassOverAModelAskedForBeforeItsTurn() throws Exception {
    ModelDirectory asked = large("asked");
    ModelDirectory quiet = large("quiet");
    try (GraphPreparation p = preparation(m -> m.equals("asked"))) {
      assertThat(p.start(List.of(asked, quiet)).get(3, TimeUnit.MINUTES)).isEqualTo(1);
    }
    assertThat(kept(asked)).as("its own load keeps its graph").isFalse();
    assertThat(kept(quiet)).isTrue();
    assertThat(console.toString(StandardCharsets.UTF_8)).contains("1 of 2 (1 asked for first)");
  }

  @Test
  void shouldCountAModelPreparedAlreadyAsNothingToDo() throws Exception {
    ModelDirectory big = large("big");
    try (GraphPreparation p = preparation(m -> false)) {
      assertThat(p.start(List.of(big)).get(3, TimeUnit.MINUTES)).isEqualTo(1);
    }
    try (GraphPreparation p = preparation(m -> false)) {
      assertThat(p.start(List.of(big)).get(3, TimeUnit.MINUTES)).isZero();
    }
    assertThat(kept(big)).isTrue();
  }

  @Test
  void shouldPrepareModelsDeployedWhileServingAfterThoseQueuedBefore() throws Exception {
    ModelDirectory registered = large("registered");
    ModelDirectory deployed = large("deployed");
    ModelDirectory later = large("later");
    try (GraphPreparation p = preparation(m -> false)) {
      CompletableFuture<Integer> atStart = p.start(List.of(registered));
      CompletableFuture<Integer> meanwhile = p.prepare(deployed);
      assertThat(atStart.get(3, TimeUnit.MINUTES)).isEqualTo(1);
      assertThat(meanwhile.get(3, TimeUnit.MINUTES)).isEqualTo(1);
      // once nothing is left the process has exited; the next deploy starts another
      assertThat(p.prepare(later).get(3, TimeUnit.MINUTES)).isEqualTo(1);
      assertThat(p.prepare(small("light"))).isCompletedWithValue(0);
    }
    assertThat(kept(registered)).isTrue();
    assertThat(kept(deployed)).isTrue();
    assertThat(kept(later)).isTrue();
    assertThat(console.toString(StandardCharsets.UTF_8))
        .as("only the registered models' batch is announced")
        .containsOnlyOnce("models prepared ahead of their first request: 1 of 1");
  }
}
