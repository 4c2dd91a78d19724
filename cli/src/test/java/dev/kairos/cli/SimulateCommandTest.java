package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SimulateCommandTest {
  @TempDir Path dir;

  private Path trace() throws Exception {
    StringBuilder b = new StringBuilder("timestamp,model\n");
    for (int i = 0; i < 2000; i++) {
      b.append(i * 0.25).append(i % 4 == 0 ? ",rare\n" : ",busy\n");
    }
    Path csv = dir.resolve("trace.csv");
    Files.writeString(csv, b.toString());
    return csv;
  }

  @Test
  void shouldReplayACsvTraceSideBySideAndWriteAnHtmlChart() throws Exception {
    Path html = dir.resolve("out/sim.html");
    int exit =
        new CommandLine(new SimulateCommand())
            .execute(
                "--trace", trace().toString(),
                "--service-time", "200ms",
                "--replica-concurrency", "2",
                "--compare", "minReplicas=1,initialScale=1",
                "--html", html.toString());
    assertThat(exit).isZero();
    String page = Files.readString(html);
    assertThat(page).contains("<svg", "knative-defaults", "tuned", "busy", "rare");
    assertThat(page).contains("<b>1</b>"); // the knobs that differ are shown in bold
  }

  @Test
  void shouldRefuseAKnobThatBreaksItsRuleNamingIt() throws Exception {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream old = System.err;
    System.setErr(new java.io.PrintStream(err, true));
    int exit;
    try {
      exit =
          new CommandLine(new SimulateCommand())
              .execute("--trace", trace().toString(), "--set", "maxScaleDownRate=1");
    } finally {
      System.setErr(old);
    }
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("maxScaleDownRate = 1, must be > 1.0");
  }

  @Test
  void shouldReplayStartsOnOneMachineAndSayHowStartsWereModelled() throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.PrintStream old = System.out;
    System.setOut(new java.io.PrintStream(out, true));
    int exit;
    try {
      exit =
          new CommandLine(new SimulateCommand())
              .execute(
                  "--trace", trace().toString(),
                  "--service-time", "20ms",
                  "--starts", "process",
                  "--cold-start", "2s",
                  "--start-capacity", "1.5",
                  "--concurrent-starts", "4",
                  "--memory", "1Gi",
                  "--replica-memory", "128Mi");
    } finally {
      System.setOut(old);
    }
    assertThat(exit).isZero();
    assertThat(out.toString())
        .contains(
            "replicas: process start 2.000 s, 1.50 at full speed, at most 4 at once, memory 1024"
                + " MiB at 128 MiB per replica");
  }

  @Test
  void shouldRefuseAnUnknownStartModelNamingTheFlag() throws Exception {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream old = System.err;
    System.setErr(new java.io.PrintStream(err, true));
    int exit;
    try {
      exit =
          new CommandLine(new SimulateCommand())
              .execute("--trace", trace().toString(), "--starts", "vm");
    } finally {
      System.setErr(old);
    }
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--starts 'vm' is not one of process, host, fixed");
  }
}
