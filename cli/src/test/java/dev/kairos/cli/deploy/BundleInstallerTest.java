package dev.kairos.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BundleInstallerTest {
  private static final String YAML =
      """
      name: hello
      engine: java
      inputs:  [{name: x, datatype: FP32, shape: [-1, 2]}]
      outputs: [{name: y, datatype: FP32, shape: [-1]}]
      options: {class: com.example.Hello}
      """;

  @TempDir Path repo;

  private BundleInstaller installer() {
    return new BundleInstaller(repo, 1 << 20, 100, PredictorTrust.all());
  }

  static byte[] zip(Map<String, String> entries) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      for (Map.Entry<String, String> e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
      }
    }
    return out.toByteArray();
  }

  /** The bundle as a file, as the deploy endpoint hands it to the installer. */
  static Path file(byte[] zip) throws Exception {
    Path f = Files.createTempFile("bundle-test-", ".zip");
    f.toFile().deleteOnExit();
    return Files.write(f, zip);
  }

  private static byte[] bundle(String yaml) throws Exception {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("model.yaml", yaml);
    m.put("files/hello.jar", "not really a jar, the repository only looks at the name");
    m.put("files/data/weights.txt", "1 2 3");
    return zip(m);
  }

  @Test
  void shouldInstallANewModelAsVersionOneTheRepositoryCanRead() throws Exception {
    BundleInstaller.Installed i = installer().install(file(bundle(YAML)), "hello", null);

    assertThat(i.version()).isEqualTo("1");
    ModelDirectory d = ModelRepository.read(repo.resolve("hello"));
    assertThat(d.ok()).as(d.error()).isTrue();
    assertThat(d.latest().artifact()).hasFileName("hello.jar");
    assertThat(repo.resolve("hello/1/data/weights.txt")).hasContent("1 2 3");
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void shouldNumberTheNextVersionAndRefuseAnExistingOne() throws Exception {
    installer().install(file(bundle(YAML)), "hello", "3");

    assertThat(installer().install(file(bundle(YAML)), "hello", null).version()).isEqualTo("4");
    assertThatThrownBy(() -> installer().install(file(bundle(YAML)), "hello", "3"))
        .isInstanceOfSatisfying(
            BundleRejectedException.class, e -> assertThat(e.status()).isEqualTo(409))
        .hasMessageContaining("already has version 3");
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void shouldRenameTheModelWhenAskedToDeployUnderAnotherName() throws Exception {
    installer().install(file(bundle(YAML)), "hello-b", null);

    ModelDirectory d = ModelRepository.read(repo.resolve("hello-b"));
    assertThat(d.name()).isEqualTo("hello-b");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../evil.txt",
        "files/../../evil.txt",
        "/etc/evil",
        "files/..\\evil",
        "files/./x",
        "C:/evil",
        "other/file"
      })
  void shouldRefuseEntriesThatCouldLeaveTheBundle(String entry) throws Exception {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("model.yaml", YAML);
    m.put("files/hello.jar", "x");
    m.put(entry, "pwned");

    assertThatThrownBy(() -> installer().install(file(zip(m)), "hello", null))
        .isInstanceOfSatisfying(
            BundleRejectedException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining("is not allowed");
    assertThat(repo.resolve("hello")).doesNotExist();
    assertThat(repo.getParent().resolve("evil.txt")).doesNotExist();
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void shouldRefuseABundleThatUnpacksTooLarge() throws Exception {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("model.yaml", YAML);
    m.put("files/hello.jar", "0".repeat(2 << 20));

    assertThatThrownBy(() -> installer().install(file(zip(m)), "hello", null))
        .isInstanceOfSatisfying(
            BundleRejectedException.class, e -> assertThat(e.status()).isEqualTo(413));
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void shouldNameTheFieldOfABrokenModelYaml() throws Exception {
    assertThatThrownBy(
            () ->
                installer()
                    .install(
                        file(bundle(YAML.replace("FP32, shape: [-1]", "FP33, shape: [-1]"))),
                        "hello",
                        null))
        .isInstanceOfSatisfying(
            BundleRejectedException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining("model.yaml: outputs[0].datatype");
  }

  @Test
  void shouldRefuseAVersionWithoutTheEnginesArtifact() throws Exception {
    byte[] noJar = zip(Map.of("model.yaml", YAML, "files/readme.txt", "hi"));

    assertThatThrownBy(() -> installer().install(file(noJar), "hello", null))
        .isInstanceOf(BundleRejectedException.class)
        .hasMessageContaining("holds no java artifact");
    assertThat(repo.resolve("hello")).doesNotExist();
  }

  @Test
  void shouldUndoAVersionAndRestoreThePreviousModelYaml() throws Exception {
    installer().install(file(bundle(YAML)), "hello", null);
    BundleInstaller.Installed v2 =
        installer()
            .install(
                file(bundle(YAML.replace("engine: java", "engine: java\n# v2"))), "hello", null);
    assertThat(repo.resolve("hello/model.yaml")).content().contains("# v2");

    v2.undo().run();

    assertThat(repo.resolve("hello/2")).doesNotExist();
    assertThat(repo.resolve("hello/model.yaml")).content().doesNotContain("# v2");
    assertThat(ModelRepository.read(repo.resolve("hello")).ok()).isTrue();
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void shouldRefuseToWriteThroughASymlinkedModelFolder(@TempDir Path elsewhere) throws Exception {
    Files.createSymbolicLink(repo.resolve("hello"), elsewhere);

    assertThatThrownBy(() -> installer().install(file(bundle(YAML)), "hello", null))
        .isInstanceOfSatisfying(
            BundleRejectedException.class, e -> assertThat(e.status()).isEqualTo(409));
    try (Stream<Path> s = Files.list(elsewhere)) {
      assertThat(s).isEmpty();
    }
  }

  private List<String> leftovers() throws Exception {
    return Leftovers.in(repo);
  }
}
