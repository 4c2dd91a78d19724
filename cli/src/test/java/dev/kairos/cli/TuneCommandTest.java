package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.autoscaler.tuner.Setting;
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
}
