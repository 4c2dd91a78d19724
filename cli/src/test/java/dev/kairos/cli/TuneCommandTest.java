package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.autoscaler.tuner.Setting;
import dev.kairos.multiplexer.profile.BatchLatency;
import dev.kairos.multiplexer.profile.ModelProfile;
import dev.kairos.multiplexer.profile.ProfileStore;
import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.model.ModelConfigParser;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TuneCommandTest {
  @TempDir Path dir;

  private static final String YAML =
      "# the %s model\nname: %s\nscaling:\n  maxReplicas: 50   # a cap for the night\n"
          + "  targetConcurrency: 2\n";

  /** busy: 4 requests/s with 10-minute bursts of 16/s; rare: a request every ~7 minutes. */
  private Path trace() throws Exception {
    StringBuilder b = new StringBuilder("timestamp,model\n");
    SplittableRandom r = new SplittableRandom(5);
    double t = 0;
    while (t < 3600) {
      t += -Math.log(1 - r.nextDouble()) / ((t % 1200) < 600 ? 16 : 4);
      b.append(String.format(java.util.Locale.ROOT, "%.3f,busy%n", t));
    }
    for (double s = 10; s < 3600; s += 420) {
      b.append(String.format(java.util.Locale.ROOT, "%.3f,rare%n", s));
    }
    Path csv = dir.resolve("trace.csv");
    Files.writeString(csv, b.toString());
    return csv;
  }

  private Path repo() throws Exception {
    Path repo = dir.resolve("models");
    for (String m : new String[] {"busy", "rare"}) {
      Files.createDirectories(repo.resolve(m));
      Files.writeString(repo.resolve(m + "/model.yaml"), String.format(YAML, m, m));
    }
    return repo;
  }

  private record Run(int exit, String out, String err) {}

  private static Run tune(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true));
    System.setErr(new PrintStream(err, true));
    try {
      int exit = new CommandLine(new TuneCommand()).execute(args);
      return new Run(exit, out.toString(), err.toString());
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void shouldRecommendPerModelDrawTheFrontierAndApplyIntoModelYaml() throws Exception {
    Path repo = repo();
    Path html = dir.resolve("out/tune.html");
    ScalingConfig before =
        ModelConfigParser.parse(repo.resolve("rare/model.yaml"), "rare").scaling();
    Run r =
        tune(
            "--trace",
            trace().toString(),
            "--models",
            repo.toString(),
            "--service-time",
            "300ms",
            "--replica-concurrency",
            "2",
            "--attainment",
            "95%",
            "--budget",
            "15",
            "--html",
            html.toString(),
            "--apply");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("2/2 models searched");
    assertThat(r.out()).contains("current", "recommended", "busy", "rare", "applied to rare");
    assertThat(Files.readString(html))
        .contains("<svg", "frontier", "busy", "rare", "target 95.00%");
    // a request every 7 minutes misses at zero replicas: only a warm replica meets 95%
    String written = Files.readString(repo.resolve("rare/model.yaml"));
    assertThat(written)
        .startsWith("# the rare model\n")
        .contains("  maxReplicas: 50   # a cap for the night\n");
    ScalingConfig after =
        ModelConfigParser.parse(repo.resolve("rare/model.yaml"), "rare").scaling();
    assertThat(after).isNotEqualTo(before);
    assertThat(after.minReplicas()).isEqualTo(1);
    assertThat(after.maxReplicas()).isEqualTo(50);
    assertThat(after.targetConcurrency()).isEqualTo(2.0);
  }

  @Test
  void shouldRefuseToApplyOverAModelYamlThatChangedSinceItWasRead() throws Exception {
    Path repo = repo();
    RepositoryKnobs store = new RepositoryKnobs(repo);
    ModelConfig now = store.current("busy");
    Files.writeString(repo.resolve("busy/model.yaml"), "name: busy\nscaling: {maxReplicas: 7}\n");
    Map<String, Object> knobs = Map.of("minReplicas", 1);
    Setting s =
        new Setting(knobs, ScalingKnobs.apply(now.scaling(), knobs), BatchingConfig.DEFAULT);

    assertThatThrownBy(() -> store.apply("busy", s))
        .isInstanceOf(KnobStore.ModelChanged.class)
        .hasMessageContaining("model.yaml of 'busy' changed since it was read");
    assertThat(Files.readString(repo.resolve("busy/model.yaml")))
        .isEqualTo("name: busy\nscaling: {maxReplicas: 7}\n");

    store.current("busy"); // read again: now it may be written
    ModelConfig fresh = ModelConfigParser.parse(repo.resolve("busy/model.yaml"), "busy");
    store.apply(
        "busy",
        new Setting(knobs, ScalingKnobs.apply(fresh.scaling(), knobs), BatchingConfig.DEFAULT));
    assertThat(Files.readString(repo.resolve("busy/model.yaml")))
        .isEqualTo("name: busy\nscaling: {maxReplicas: 7, minReplicas: 1}\n");
  }

  @Test
  void shouldApplyAMinReplicasAboveTheFilesInitialScaleWithTheInitialScaleItImplies()
      throws Exception {
    Path repo = repo();
    Files.writeString(
        repo.resolve("busy/model.yaml"),
        "name: busy\nscaling: {initialScale: 0, maxReplicas: 1}\n");
    RepositoryKnobs store = new RepositoryKnobs(repo);
    ModelConfig now = store.current("busy");
    Map<String, Object> knobs = Map.of("minReplicas", 1);
    store.apply(
        "busy",
        new Setting(knobs, ScalingKnobs.apply(now.scaling(), knobs), BatchingConfig.DEFAULT));
    ScalingConfig after =
        ModelConfigParser.parse(repo.resolve("busy/model.yaml"), "busy").scaling();
    assertThat(after.minReplicas()).isEqualTo(1);
    assertThat(after.initialScale()).isEqualTo(1);
  }

  @Test
  void shouldRefuseARangeOutsideWhatModelYamlAllowsNamingTheKnobAndTheRule() throws Exception {
    Run r = tune("--trace", trace().toString(), "--knob", "targetUtilizationPercentage=0..100");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains("targetUtilizationPercentage = 0..100")
        .contains("must be between 1 and 100");
  }

  @Test
  void shouldNameTheLineAndTheReasonOfATraceThatDoesNotParse() throws Exception {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(csv, "timestamp,model\n0,a\nlater,a\n");
    Run r = tune("--trace", csv.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("bad.csv:3: timestamp 'later' is neither seconds");
  }

  @Test
  void shouldReportAnSloNoSettingCanMeetWithTheBestReachableAttainment() throws Exception {
    Run r =
        tune(
            "--trace", trace().toString(),
            "--service-time", "300ms",
            "--replica-concurrency", "2",
            "--attainment", "100%",
            "--knob", "scaleToZeroAfter=0s..1m",
            "--budget", "6");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("SLO unreachable for")
        .containsPattern("rare +target 100.000%, best reachable \\d");
  }

  @Test
  void shouldRefuseApplyWithoutAPlaceToWriteAndShowHelp() throws Exception {
    Run r = tune("--trace", trace().toString(), "--apply");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--apply needs --models DIR");
    Run help = tune("--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("--apply", "--attainment", "--knob");
  }

  @Test
  void shouldSearchBatchingWhereAModelHasAProfileAndWriteItIntoModelYaml() throws Exception {
    Path repo = dir.resolve("models");
    Path mlp = repo.resolve("mlp");
    Files.createDirectories(mlp);
    Files.writeString(
        mlp.resolve("model.yaml"),
        "name: mlp\nbatching: {maxBatchSize: 1, maxQueueSize: 256}  # one at a time\n"
            + "scaling: {targetConcurrency: 1, maxReplicas: 20}\n");
    // the mlp example's medians as kairos profile measured them (ms per batch, batch 1 to 32)
    ProfileStore.write(
        mlp,
        new ModelProfile(
            "mlp",
            "cpu:1",
            java.util.List.of(
                new BatchLatency(1, 27_633, 40_000),
                new BatchLatency(4, 17_353, 40_000),
                new BatchLatency(32, 16_151, 40_000)),
            27 << 20,
            1_000_000_000L,
            "measured"));
    StringBuilder b = new StringBuilder();
    SplittableRandom r = new SplittableRandom(2);
    double t = 0;
    while (t < 30) {
      t += -Math.log(1 - r.nextDouble()) / (t >= 10 && t < 13 ? 50_000 : 2_000);
      b.append(String.format(java.util.Locale.ROOT, "%.6f,mlp%n", t));
    }
    Path csv = dir.resolve("bursty.csv");
    Files.writeString(csv, b);

    Run run =
        tune(
            "--trace",
            csv.toString(),
            "--models",
            repo.toString(),
            "--replica-concurrency",
            "1",
            "--knob",
            "minReplicas=0..3,maxBatchSize=1..32,maxQueueDelay=0s..5ms",
            "--attainment",
            "99%",
            "--budget",
            "10",
            "--apply");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("maxBatchSize=", "applied to mlp");
    String written = Files.readString(mlp.resolve("model.yaml"));
    assertThat(written).contains("# one at a time").contains("maxQueueSize: 256");
    ModelConfig after = ModelConfigParser.parse(mlp.resolve("model.yaml"), "mlp");
    assertThat(after.batching().maxBatchSize()).isGreaterThan(1);
    assertThat(after.scaling().maxReplicas()).isEqualTo(20);
  }
}
