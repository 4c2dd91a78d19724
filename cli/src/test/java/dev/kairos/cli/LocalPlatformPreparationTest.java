package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kairos.gateway.route.RouteTable;
import dev.kairos.runtime.engine.onnx.OptimizedGraphs;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform prepares its registered models at zero, in a real child process, and passes over a
 * model whose request is already held (its own load prepares it); a model deployed while it serves
 * is prepared too, also when it comes back under a name that had been asked for.
 */
class LocalPlatformPreparationTest {
  @TempDir Path repo;

  private void model(String name) throws Exception {
    Path dir = repo.resolve(name);
    Files.createDirectories(dir.resolve("1"));
    Files.copy(
        Path.of("..", "examples", "models", "gpt2-tiny", "1", "model.onnx"),
        dir.resolve("1/model.onnx"));
    Files.writeString(
        dir.resolve("model.yaml"),
        "name: " + name + "\nengine: onnxruntime\nscaling: {minReplicas: 0, initialScale: 0}\n");
  }

  private boolean kept(String name) throws Exception {
    Path folder = repo.resolve(name).resolve("1").resolve(OptimizedGraphs.FOLDER);
    if (!Files.isDirectory(folder)) {
      return false;
    }
    try (Stream<Path> s = Files.list(folder)) {
      return s.anyMatch(p -> p.getFileName().toString().endsWith(".properties"));
    }
  }

  private LocalPlatform platform(ByteArrayOutputStream console) {
    return new LocalPlatform(
        new ModelRepository(repo),
        new RouteTable(),
        new ReplicaCommand(List.of("-Xmx256m"), 0),
        new PrintStream(console, true, StandardCharsets.UTF_8),
        0,
        new SharedDevices("deadline"));
  }

  @Test
  void shouldPrepareTheRegisteredModelsAtZeroButOneWhoseRequestIsHeld() throws Exception {
    model("held");
    model("quiet");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    try (LocalPlatform platform = platform(console)) {
      assertThat(platform.loadAll().get(30, TimeUnit.SECONDS)).isEqualTo(2);
      platform.waiting().held("held");
      assertThat(platform.prepareModels().get(3, TimeUnit.MINUTES)).isEqualTo(1);
    }
    assertThat(kept("quiet")).isTrue();
    assertThat(kept("held")).isFalse();
    assertThat(console.toString(StandardCharsets.UTF_8)).contains("1 of 2 (1 asked for first)");
  }

  @Test
  void shouldPrepareAModelDeployedWhileServingAndOneDeployedAgain() throws Exception {
    model("first");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    try (LocalPlatform platform = platform(console)) {
      assertThat(platform.loadAll().get(30, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(platform.prepareModels().get(3, TimeUnit.MINUTES)).isEqualTo(1);

      model("later");
      assertThat(
              platform.load(ModelRepository.read(repo.resolve("later"))).get(30, TimeUnit.SECONDS))
          .isTrue();
      await().atMost(Duration.ofMinutes(3)).until(() -> kept("later"));

      // served once (a replica placed: its own load keeps its graph), then unloaded and deployed
      // again with its kept graph gone, as after a new file
      ModelDirectory first = ModelRepository.read(repo.resolve("first"));
      platform.startReplica(first, first.latest()).get(60, TimeUnit.SECONDS);
      platform.unload("first", 1_000).get(30, TimeUnit.SECONDS);
      deleteKept("first");
      assertThat(
              platform.load(ModelRepository.read(repo.resolve("first"))).get(30, TimeUnit.SECONDS))
          .isTrue();
      await().atMost(Duration.ofMinutes(3)).until(() -> kept("first"));
    }
  }

  private void deleteKept(String name) throws Exception {
    Path folder = repo.resolve(name).resolve("1").resolve(OptimizedGraphs.FOLDER);
    try (Stream<Path> s = Files.walk(folder)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
