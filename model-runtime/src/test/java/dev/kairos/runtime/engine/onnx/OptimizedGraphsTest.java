package dev.kairos.runtime.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.runtime.core.TestModels;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.OipJsonDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sessions made from a kept optimised graph answer exactly as sessions made from the model file,
 * and a graph is used only while the model, ONNX Runtime and the CPU are those it was made for.
 */
class OptimizedGraphsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private final OnnxRuntimeEngine engine =
      new OnnxRuntimeEngine(
          version -> new OptimizedGraphs(null, version, "test-cpu", 0, Runnable::run));

  /** A copy of an example model in a folder of its own. */
  private ModelSource copy(String example) throws Exception {
    Path dir = tmp.resolve(example);
    Files.createDirectories(dir.resolve("1"));
    Files.copy(
        TestModels.EXAMPLES.resolve(example + "/1/model.onnx"),
        dir.resolve("1/model.onnx"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(dir.resolve("model.yaml"), "name: " + example + "\nengine: onnxruntime\n");
    ModelDirectory d = ModelRepository.read(dir);
    assertThat(d.ok()).as(String.valueOf(d.error())).isTrue();
    return new ModelSource("1", d.latest().artifact(), d.config(), 1);
  }

  private static InferenceRequest golden(String example) throws Exception {
    return new OipJsonDecoder()
        .decodeRequest(
            Files.readAllBytes(TestModels.EXAMPLES.resolve(example + "/golden/request.json")));
  }

  private static float[] answer(LoadedModel m, InferenceRequest r) {
    return m.infer(r).outputs().get(0).asFloatArray();
  }

  private static Path sessionFile(LoadedModel m) {
    return ((OnnxModel) m).sessionFile();
  }

  /** The cache folder holding the entry the session was made from. */
  private static Path entryFolder(LoadedModel m) {
    return sessionFile(m).getParent().getParent();
  }

  private static Path graphFolder(ModelSource s) {
    return s.artifact().getParent().resolve(OptimizedGraphs.FOLDER);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mlp", "cnn"})
  void shouldAnswerTheGoldenRequestIdenticallyFromTheKeptGraphAtTheSecondLoad(String example)
      throws Exception {
    ModelSource source = copy(example);
    InferenceRequest request = golden(example);
    float[] first;
    try (LoadedModel m = engine.load(source)) {
      assertThat(sessionFile(m)).isEqualTo(source.artifact());
      first = answer(m, request);
    }
    try (LoadedModel m = engine.load(source)) {
      assertThat(entryFolder(m)).isEqualTo(graphFolder(source));
      assertThat(answer(m, request)).containsExactly(first);
    }
    JsonNode want =
        JSON.readTree(TestModels.EXAMPLES.resolve(example + "/golden/response.json").toFile())
            .get("outputs")
            .get(0)
            .get("data");
    assertThat(first).hasSize(want.size());
    for (int i = 0; i < want.size(); i++) {
      assertThat((double) first[i]).isCloseTo(want.get(i).asDouble(), Offset.offset(1e-4));
    }
  }

  @Test
  void shouldMakeTheEntryAfterTheLoadHasReturned() throws Exception {
    ModelSource source = copy("cnn");
    List<Runnable> later = new ArrayList<>();
    OnnxRuntimeEngine e =
        new OnnxRuntimeEngine(
            version -> new OptimizedGraphs(null, version, "test-cpu", 0, later::add));
    float[] first;
    try (LoadedModel m = e.load(source)) {
      first = answer(m, golden("cnn"));
    }
    assertThat(later).hasSize(1);
    try (LoadedModel m = e.load(source)) {
      assertThat(sessionFile(m)).as("no entry until it was made").isEqualTo(source.artifact());
    }
    later.forEach(Runnable::run);
    try (LoadedModel m = e.load(source)) {
      assertThat(entryFolder(m)).isEqualTo(graphFolder(source));
      assertThat(answer(m, golden("cnn"))).containsExactly(first);
    }
  }

  @Test
  void shouldOptimiseAgainWhenTheModelFileChanged() throws Exception {
    ModelSource source = copy("mlp");
    engine.load(source).close();
    // another model in the same file: its own signature and answers, not the kept graph's
    Files.copy(
        TestModels.EXAMPLES.resolve("cnn/1/model.onnx"),
        source.artifact(),
        StandardCopyOption.REPLACE_EXISTING);
    ModelDirectory d = ModelRepository.read(source.artifact().getParent().getParent());
    ModelSource changed = new ModelSource("1", source.artifact(), d.config(), 1);
    float[] want;
    try (LoadedModel fresh =
        new OnnxRuntimeEngine(version -> null)
            .load(new ModelSource("1", copyOf("cnn"), d.config(), 1))) {
      want = answer(fresh, golden("cnn"));
    }
    try (LoadedModel m = engine.load(changed)) {
      assertThat(sessionFile(m)).isEqualTo(source.artifact());
      assertThat(m.signature().inputs().get(0).name()).isEqualTo("image");
      assertThat(answer(m, golden("cnn"))).containsExactly(want);
    }
    try (LoadedModel m = engine.load(changed)) {
      assertThat(entryFolder(m)).as("kept again, for the new file").isEqualTo(graphFolder(source));
      assertThat(answer(m, golden("cnn"))).containsExactly(want);
    }
    assertThat(onlyEntry(source)).as("the old entry's folder was deleted").isNotNull();
  }

  private Path copyOf(String example) throws Exception {
    Path p = tmp.resolve("plain-" + example + ".onnx");
    Files.copy(TestModels.EXAMPLES.resolve(example + "/1/model.onnx"), p);
    return p;
  }

  @Test
  void shouldKeepTheGraphOfAModelFileTouchedButNotChanged() throws Exception {
    ModelSource source = copy("mlp");
    engine.load(source).close();
    Files.setLastModifiedTime(source.artifact(), FileTime.fromMillis(1_000_000));
    try (LoadedModel m = engine.load(source)) {
      assertThat(entryFolder(m)).isEqualTo(graphFolder(source));
    }
  }

  @Test
  void shouldNeverServeAGraphChangedAfterItWasWrittenEvenWithItsSizeAndTimeRestored()
      throws Exception {
    ModelSource source = copy("cnn");
    InferenceRequest request = golden("cnn");
    float[] want;
    try (LoadedModel m = engine.load(source)) {
      want = answer(m, request);
    }
    Path weights = onlyEntry(source).resolve(OptimizedGraphs.WEIGHTS);
    FileTime written = Files.getLastModifiedTime(weights);
    byte[] bytes = Files.readAllBytes(weights);
    assertThat(bytes.length).as("the weights are kept apart from the graph").isGreaterThan(100_000);
    for (int i = bytes.length / 2; i < bytes.length; i++) {
      bytes[i] = 0; // the second half of the weights zeroed: a graph that still loads
    }
    Files.write(weights, bytes);
    Files.setLastModifiedTime(weights, written);
    try (LoadedModel m = engine.load(source)) {
      assertThat(sessionFile(m)).as("optimised again").isEqualTo(source.artifact());
      assertThat(answer(m, request)).containsExactly(want);
    }
    try (LoadedModel m = engine.load(source)) {
      assertThat(entryFolder(m)).isEqualTo(graphFolder(source));
      assertThat(answer(m, request)).containsExactly(want);
    }
  }

  @Test
  void shouldOptimiseAgainWhenTheKeptGraphCannotBeLoaded() throws Exception {
    ModelSource source = copy("mlp");
    float[] want;
    try (LoadedModel m = engine.load(source)) {
      want = answer(m, golden("mlp"));
    }
    Path entry = onlyEntry(source);
    Path graph = entry.resolve(OptimizedGraphs.GRAPH);
    String name = entry.getFileName().toString();
    Path record =
        graphFolder(source).resolve(name.substring(0, name.lastIndexOf('.')) + ".properties");
    // garbage whose stamp the record is made to agree with: only ONNX Runtime can tell
    Files.writeString(graph, "not a graph");
    String text = Files.readString(record);
    Files.writeString(
        record, text.replaceAll("(?m)^graph=.*$", "graph=" + FileStamp.of(graph).text()));
    try (LoadedModel m = engine.load(source)) {
      assertThat(sessionFile(m)).isEqualTo(source.artifact());
      assertThat(answer(m, golden("mlp"))).containsExactly(want);
    }
    try (LoadedModel m = engine.load(source)) {
      assertThat(entryFolder(m)).isEqualTo(graphFolder(source));
    }
  }

  @Test
  void shouldNotUseAGraphMadeForAnotherCpuOrOnnxRuntime() throws Exception {
    ModelSource source = copy("mlp");
    engine.load(source).close();
    OnnxRuntimeEngine otherCpu =
        new OnnxRuntimeEngine(
            version -> new OptimizedGraphs(null, version, "another-cpu", 0, Runnable::run));
    try (LoadedModel m = otherCpu.load(source)) {
      assertThat(sessionFile(m)).isEqualTo(source.artifact());
    }
    OnnxRuntimeEngine otherRuntime =
        new OnnxRuntimeEngine(
            version -> new OptimizedGraphs(null, version + "-next", "test-cpu", 0, Runnable::run));
    try (LoadedModel m = otherRuntime.load(source)) {
      assertThat(sessionFile(m)).isEqualTo(source.artifact());
    }
    try (LoadedModel m = engine.load(source)) {
      assertThat(entryFolder(m)).isEqualTo(graphFolder(source));
    }
  }

  @Test
  void shouldKeepTheGraphInTheFallbackFolderWhenTheModelsFolderCannotHoldIt() throws Exception {
    ModelSource source = copy("mlp");
    Files.writeString(graphFolder(source), "a file where the folder would go");
    Path fallback = tmp.resolve("cache");
    OnnxRuntimeEngine e =
        new OnnxRuntimeEngine(
            version -> new OptimizedGraphs(fallback, version, "test-cpu", 0, Runnable::run));
    e.load(source).close();
    try (LoadedModel m = e.load(source)) {
      assertThat(sessionFile(m)).startsWith(fallback);
    }
  }

  @Test
  void shouldKeepNoGraphOfAModelFileSmallerThanTheThreshold() throws Exception {
    ModelSource source = copy("mlp");
    long size = Files.size(source.artifact());
    OnnxRuntimeEngine e =
        new OnnxRuntimeEngine(
            version -> new OptimizedGraphs(null, version, "test-cpu", size + 1, Runnable::run));
    e.load(source).close();
    try (LoadedModel m = e.load(source)) {
      assertThat(sessionFile(m)).isEqualTo(source.artifact());
    }
    assertThat(graphFolder(source)).doesNotExist();
  }

  @Test
  void shouldLetTheFirstLoadUseTheGraphAPreparationKept() throws Exception {
    ModelSource source = copy("cnn");
    List<Runnable> later = new ArrayList<>();
    OnnxRuntimeEngine e =
        new OnnxRuntimeEngine(
            version -> new OptimizedGraphs(null, version, "test-cpu", 0, later::add));
    assertThat(e.prepare(source)).isTrue();
    assertThat(later).as("a preparation keeps its graph before it returns").isEmpty();
    try (LoadedModel m = e.load(source)) {
      assertThat(entryFolder(m)).isEqualTo(graphFolder(source));
      float[] fromGraph = answer(m, golden("cnn"));
      try (LoadedModel plain = noKeptGraphs().load(source)) {
        assertThat(fromGraph).containsExactly(answer(plain, golden("cnn")));
      }
    }
    assertThat(e.prepare(source)).as("kept already: nothing to do").isFalse();
  }

  @Test
  void shouldPrepareNothingForAModelFileSmallerThanTheThreshold() throws Exception {
    ModelSource source = copy("mlp");
    long size = Files.size(source.artifact());
    OnnxRuntimeEngine e =
        new OnnxRuntimeEngine(
            version -> new OptimizedGraphs(null, version, "test-cpu", size + 1, Runnable::run));
    assertThat(e.prepare(source)).isFalse();
    assertThat(graphFolder(source)).doesNotExist();
  }

  @Test
  void shouldFailAPreparationOfAFileOnnxRuntimeCannotReadAndKeepNothing() throws Exception {
    ModelSource source = copy("cnn");
    Files.write(source.artifact(), new byte[] {1, 2, 3, 4});
    assertThatThrownBy(() -> engine.prepare(source))
        .isInstanceOf(dev.kairos.runtime.engine.ModelLoadException.class)
        .hasMessageContaining("model 'cnn'")
        .hasMessageContaining(source.artifact().toString());
    try (var s = Files.list(graphFolder(source))) {
      assertThat(s.toList()).as("no entry and no temporary folder left").isEmpty();
    }
  }

  /** An engine that keeps no graphs, to compare answers with. */
  private static OnnxRuntimeEngine noKeptGraphs() {
    return new OnnxRuntimeEngine(version -> null);
  }

  @Test
  void shouldKeepNothingWhenTurnedOff() {
    assertThat(OptimizedGraphs.standard("1.0", Map.of(OptimizedGraphs.VARIABLE, "off"))).isNull();
  }

  @Test
  void shouldNameTheCpuByVendorModelAndFlags() throws Exception {
    Path cpuinfo = tmp.resolve("cpuinfo");
    Files.writeString(
        cpuinfo,
        "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nflags\t\t: fpu avx2\n\n"
            + "processor\t: 1\nflags\t\t: other\n");
    assertThat(GraphEnvironment.thisCpu(cpuinfo))
        .contains("vendor_id=AuthenticAMD", "model name=AMD EPYC", "flags=fpu avx2")
        .doesNotContain("other");
    assertThat(GraphEnvironment.thisCpu(tmp.resolve("missing"))).isNull();
  }

  private static Path onlyEntry(ModelSource source) throws Exception {
    try (var s = Files.list(graphFolder(source))) {
      return s.filter(Files::isDirectory)
          .reduce(
              (a, b) -> {
                throw new AssertionError("more than one entry: " + a + ", " + b);
              })
          .orElseThrow();
    }
  }
}
