package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The class-data-sharing archive the build made, read back by the JVM that maps it. */
class ClassDataArchiveIT {
  @Test
  void shouldHoldTheGatewaysPathFromARequestHeldAtZeroToItsForward() throws Exception {
    Path target = KairosProcess.HOME.resolve("cli/target");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:SharedArchiveFile=" + target.resolve("kairos.jsa"),
                "-XX:+PrintSharedArchiveAndExit",
                "-cp",
                target.resolve("kairos-cli.jar").toString())
            .redirectErrorStream(true)
            .start();
    String listing = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // what a serve's first request to a model at zero loads: before, none was archived
    assertThat(listing)
        .contains(
            "dev.kairos.gateway.Gateway app_loader",
            "dev.kairos.gateway.activator.Activator app_loader",
            "dev.kairos.gateway.pipeline.Relay app_loader",
            "io.vertx.core.http.impl.HttpClientImpl app_loader")
        // and still what a replica loads
        .contains("dev.kairos.runtime.core.InferenceService app_loader");
  }
}
