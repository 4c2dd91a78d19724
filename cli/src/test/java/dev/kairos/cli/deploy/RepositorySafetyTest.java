package dev.kairos.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.sdk.model.ModelConfigParser;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bundles that try to leave the repository, and writes that a crash must not leave half done. */
class RepositorySafetyTest {
  private static final String YAML =
      """
      name: hello
      engine: java
      inputs:  [{name: x, datatype: FP32, shape: [-1, 2]}]
      outputs: [{name: y, datatype: FP32, shape: [-1]}]
      """;

  @TempDir Path repo;

  private BundleInstaller installer(int maxUnpacked, int maxEntries) {
    return new BundleInstaller(repo, maxUnpacked, maxEntries, PredictorTrust.all());
  }

  private BundleInstaller installer() {
    return installer(1 << 20, 100);
  }

  private static byte[] bundle(String yaml) throws Exception {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("model.yaml", yaml);
    m.put("files/hello.jar", "jar");
    return BundleInstallerTest.zip(m);
  }

  /**
   * A zip whose entry {@code link} is marked (Unix mode 0120777) as a symlink to {@code target}.
   */
  private static byte[] withSymlink(String link, String target) throws Exception {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("model.yaml", YAML);
    m.put("files/hello.jar", "jar");
    m.put(link, target);
    byte[] zip = BundleInstallerTest.zip(m);
    ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i + 46 < zip.length; i++) {
      if (b.getInt(i) == 0x02014b50) {
        int nameLength = Short.toUnsignedInt(b.getShort(i + 28));
        String name = new String(zip, i + 46, nameLength, StandardCharsets.UTF_8);
        if (name.equals(link)) {
          b.putShort(i + 4, (short) (3 << 8 | 20));
          b.putInt(i + 38, 0120777 << 16);
        }
      }
    }
    return zip;
  }

  @Test
  void shouldRefuseASymlinkEntryPointingOutOfTheBundle() throws Exception {
    byte[] zip = withSymlink("files/weights.bin", "/etc/passwd");

    assertThatThrownBy(() -> installer().install(BundleInstallerTest.file(zip), "hello", null))
        .isInstanceOfSatisfying(
            BundleRejectedException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining("'files/weights.bin' is a symbolic link");
    assertThat(repo.resolve("hello")).doesNotExist();
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void shouldRefuseAZipBombOfOneHighlyCompressedEntry() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      z.setLevel(Deflater.BEST_COMPRESSION);
      z.putNextEntry(new ZipEntry("model.yaml"));
      z.write(YAML.getBytes(StandardCharsets.UTF_8));
      z.putNextEntry(new ZipEntry("files/hello.jar"));
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 64; i++) {
        z.write(zeros);
      }
      z.closeEntry();
    }
    byte[] bomb = out.toByteArray();
    assertThat(bomb.length).isLessThan(100_000); // 64 MiB of zeros in well under 100 KB

    assertThatThrownBy(
            () -> installer(4 << 20, 100).install(BundleInstallerTest.file(bomb), "hello", null))
        .isInstanceOfSatisfying(
            BundleRejectedException.class, e -> assertThat(e.status()).isEqualTo(413))
        .hasMessageContaining("unpacks to more than");
    assertThat(repo.resolve("hello")).doesNotExist();
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void shouldRefuseABundleOfTooManyEntries() throws Exception {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("model.yaml", YAML);
    for (int i = 0; i < 200; i++) {
      m.put("files/f" + i + ".jar", "");
    }

    assertThatThrownBy(
            () ->
                installer()
                    .install(BundleInstallerTest.file(BundleInstallerTest.zip(m)), "hello", null))
        .isInstanceOfSatisfying(
            BundleRejectedException.class, e -> assertThat(e.status()).isEqualTo(413))
        .hasMessageContaining("more than 100 entries");
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void shouldTakeBackAVersionWhoseDeployWasInterruptedAfterItsJournal() throws Exception {
    installer().install(BundleInstallerTest.file(bundle(YAML)), "hello", null);
    byte[] v1Yaml = Files.readAllBytes(repo.resolve("hello/model.yaml"));
    // What a crash between "version moved in, model.yaml replaced" and "journal deleted" leaves:
    Files.createDirectories(repo.resolve("hello/2"));
    Files.writeString(repo.resolve("hello/2/hello.jar"), "half");
    Files.writeString(repo.resolve("hello/model.yaml"), YAML + "# v2\n");
    Files.writeString(
        repo.resolve("hello/" + BundleInstaller.JOURNAL),
        "version=2\npreviousModelYaml="
            + java.util.Base64.getEncoder().encodeToString(v1Yaml)
            + "\n");
    Files.createDirectories(repo.resolve(".deploy-1234/hello/files"));
    Files.writeString(
        repo.resolve("hello/.model.yaml.tmp-0b5e2c1a-3e6d-478a-b1fa-1d343594b94d"), "scal");

    List<String> repaired = installer().recover();

    assertThat(repaired).hasSize(3);
    assertThat(repo.resolve("hello/2")).doesNotExist();
    assertThat(repo.resolve("hello/model.yaml")).hasBinaryContent(v1Yaml);
    assertThat(repo.resolve("hello/" + BundleInstaller.JOURNAL)).doesNotExist();
    try (Stream<Path> s = Files.list(repo.resolve("hello"))) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("1", "model.yaml");
    }
    assertThat(ModelRepository.read(repo.resolve("hello")).ok()).isTrue();
    assertThat(leftovers()).isEmpty();
    assertThat(installer().recover()).isEmpty();
  }

  @Test
  void shouldUndeployAVersionThenTheModel() throws Exception {
    installer().install(BundleInstallerTest.file(bundle(YAML)), "hello", null);
    installer().install(BundleInstallerTest.file(bundle(YAML + "# v2\n")), "hello", null);

    installer().undeploy("hello", "1");
    assertThat(repo.resolve("hello/1")).doesNotExist();
    assertThat(ModelRepository.read(repo.resolve("hello")).versions()).hasSize(1);
    assertThatThrownBy(() -> installer().undeploy("hello", "2"))
        .isInstanceOfSatisfying(
            BundleRejectedException.class, e -> assertThat(e.status()).isEqualTo(409))
        .hasMessageContaining("is the last of model 'hello'");

    installer().undeploy("hello", null);
    assertThat(repo.resolve("hello")).doesNotExist();
    assertThat(leftovers()).isEmpty();
    assertThatThrownBy(() -> installer().undeploy("hello", null))
        .isInstanceOfSatisfying(
            BundleRejectedException.class, e -> assertThat(e.status()).isEqualTo(404));
    assertThatThrownBy(() -> installer().undeploy("../etc", null))
        .isInstanceOfSatisfying(
            BundleRejectedException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void shouldWriteKnobsIntoModelYamlKeepingItsComments() throws Exception {
    String yaml =
        "# the hello model\n"
            + YAML
            + "scaling:\n  minReplicas: 0   # scale to zero at night\n  maxReplicas: 4\n"
            + "traffic: {\"1\": 100}\n";
    installer().install(BundleInstallerTest.file(bundle(yaml)), "hello", null);
    ScalingConfig before = ModelRepository.read(repo.resolve("hello")).config().scaling();
    Map<String, Object> changes = Map.of("maxReplicas", 6, "targetConcurrency", 2.5);
    ScalingConfig next = ScalingKnobs.apply(before, changes);

    installer().writeScaling(repo.resolve("hello"), new LinkedHashMap<>(changes), next);

    String written = Files.readString(repo.resolve("hello/model.yaml"));
    assertThat(written)
        .contains("# the hello model\n")
        .contains("  minReplicas: 0   # scale to zero at night\n")
        .contains("  maxReplicas: 6\n")
        .contains("  targetConcurrency: 2.5\n")
        .contains("traffic: {\"1\": 100}\n");
    assertThat(ModelConfigParser.parse(written, Path.of("model.yaml"), "hello").scaling())
        .isEqualTo(next);
    assertThat(leftovers()).isEmpty();
    try (Stream<Path> s = Files.list(repo.resolve("hello"))) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("1", "model.yaml");
    }
  }

  @Test
  void shouldWriteTrafficIntoModelYamlSoARereadKeepsItAndRefuseASplitItsRulesReject()
      throws Exception {
    String yaml = "# the hello model\n" + YAML + "scaling: {maxReplicas: 4}  # knobs\n";
    installer().install(BundleInstallerTest.file(bundle(yaml)), "hello", null);
    installer().install(BundleInstallerTest.file(bundle(yaml)), "hello", null);
    Map<String, Integer> weights = new LinkedHashMap<>();
    weights.put("1", 80);
    weights.put("2", 20);

    installer().writeTraffic(repo.resolve("hello"), weights);

    String written = Files.readString(repo.resolve("hello/model.yaml"));
    assertThat(written)
        .startsWith("# the hello model\n")
        .contains("scaling: {maxReplicas: 4}  # knobs\n")
        .endsWith("traffic: {\"1\": 80, \"2\": 20}\n");
    assertThat(ModelRepository.read(repo.resolve("hello")).config().traffic()).isEqualTo(weights);

    assertThatThrownBy(
            () -> installer().writeTraffic(repo.resolve("hello"), Map.of("1", 50, "2", 20)))
        .isInstanceOf(dev.kairos.sdk.model.ModelConfigException.class)
        .hasMessageContaining("model.yaml: traffic weights add up to 70, must add up to 100");
    assertThat(repo.resolve("hello/model.yaml")).hasContent(written);
    assertThat(leftovers()).isEmpty();
    try (Stream<Path> s = Files.list(repo.resolve("hello"))) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("1", "2", "model.yaml");
    }
  }

  private List<String> leftovers() throws Exception {
    return Leftovers.in(repo);
  }
}
