package dev.kairos.cli;

import dev.kairos.sdk.client.CallOptions;
import dev.kairos.sdk.client.InferenceClient;
import dev.kairos.sdk.client.InferenceException;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.oip.OipJsonEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kairos predict MODEL --input FILE}: one inference call, the response printed as JSON. */
@Command(
    name = "predict",
    description = "Send an OIP v2 JSON request to a model and print the response.")
final class PredictCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MODEL", description = "The model name.")
  String model;

  @Option(names = "--input", required = true, description = "OIP v2 JSON request file.")
  Path input;

  @Option(names = "--model-version", description = "A version (default: the server's choice).")
  String version;

  @Option(names = "--binary", description = "Use the binary tensor extension on the wire.")
  boolean binary;

  @Option(
      names = "--timeout",
      defaultValue = "30s",
      description = "Deadline, e.g. 500ms, 30s (default ${DEFAULT-VALUE}).")
  String timeout;

  @Mixin PlatformOptions platform;

  @Override
  public Integer call() throws Exception {
    InferenceRequest request;
    try {
      request = new OipJsonDecoder().decodeRequest(Files.readAllBytes(input));
    } catch (InvalidInputException e) {
      System.err.println("kairos predict: " + input + ": " + e.getMessage());
      return 2;
    } catch (java.io.IOException e) {
      System.err.println("kairos predict: cannot read " + input + ": " + e);
      return 2;
    }
    Duration deadline = dev.kairos.sdk.model.Durations.parse(timeout);
    try (InferenceClient client = InferenceClient.builder(platform.url).build()) {
      InferenceResponse r =
          client.infer(
              model,
              request,
              CallOptions.defaults().withVersion(version).withTimeout(deadline).withBinary(binary));
      System.out.println(
          new String(new OipJsonEncoder().encodeResponse(r), StandardCharsets.UTF_8));
      return 0;
    } catch (InferenceException e) {
      System.err.println("kairos predict: " + e.getMessage());
      return 1;
    }
  }
}
