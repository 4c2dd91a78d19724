package dev.kairos.cli;

import dev.kairos.sdk.client.CallOptions;
import dev.kairos.sdk.client.InferenceClient;
import dev.kairos.sdk.generate.GenerationException;
import dev.kairos.sdk.generate.GenerationRequest;
import dev.kairos.sdk.generate.GenerationStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kairos generate MODEL "prompt"}: a streamed generation, tokens printed as they arrive. */
@Command(
    name = "generate",
    description =
        "Generate text with a text-generation model, printing it as it is generated (the API key,"
            + " if the platform needs one, from env KAIROS_API_KEY).")
final class GenerateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "The model name.")
  String model;

  @Parameters(index = "1", paramLabel = "PROMPT", description = "The text to continue.")
  String prompt;

  @Option(names = "--max-tokens", description = "At most this many tokens (default: the model's).")
  Integer maxTokens;

  @Option(names = "--temperature", description = "Sampling temperature; 0 is greedy.")
  Double temperature;

  @Option(names = "--seed", description = "Seed: the same seed samples the same text.")
  Long seed;

  @Option(names = "--chat", description = "Send the prompt as a user message of a chat.")
  boolean chat;

  @Option(
      names = "--timeout",
      defaultValue = "60s",
      description = "How long the stream may stay silent, e.g. 30s (default ${DEFAULT-VALUE}).")
  String timeout;

  @Mixin PlatformOptions platform;

  @Override
  public Integer call() {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    GenerationRequest request;
    try {
      request =
          GenerationRequest.of(
              chat ? GenerationRequest.Api.CHAT : GenerationRequest.Api.COMPLETION, model, prompt);
      if (maxTokens != null) {
        request = request.withMaxTokens(maxTokens);
      }
      if (temperature != null) {
        request = request.withTemperature(temperature);
      }
      if (seed != null) {
        request = request.withSeed(seed);
      }
    } catch (IllegalArgumentException e) {
      System.err.println("kairos generate: " + e.getMessage());
      return 2;
    }
    Duration idle = dev.kairos.sdk.model.Durations.parse(timeout);
    InferenceClient.Builder b =
        InferenceClient.builder(platform.url).defaults(CallOptions.defaults().withTimeout(idle));
    String key = System.getenv("KAIROS_API_KEY");
    if (key != null && !key.isBlank()) {
      b.header("Authorization", "Bearer " + key.strip());
    }
    try (InferenceClient client = b.build()) {
      GenerationStream stream =
          client.generate(
              request,
              e -> {
                out.print(e.text());
                out.flush();
              });
      stream.done().join();
      out.println();
      return 0;
    } catch (CompletionException e) {
      out.println();
      System.err.println(
          "kairos generate: "
              + (e.getCause() instanceof GenerationException g ? g.getMessage() : e.getCause()));
      return 1;
    }
  }
}
