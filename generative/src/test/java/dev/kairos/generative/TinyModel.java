package dev.kairos.generative;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.generative.runner.PagedDecoder;
import dev.kairos.generative.sample.SamplingParams;
import dev.kairos.generative.text.GptTokenizer;
import dev.kairos.sdk.time.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The committed gpt2-tiny example and torch's greedy continuations of it. */
final class TinyModel {
  static final Path DIR = Path.of("..", "examples", "models", "gpt2-tiny");
  static final GptTokenizer TOKENIZER = GptTokenizer.named("gpt2");

  record Golden(String text, int[] prompt, int[] greedy) {}

  static List<Golden> goldens() throws IOException {
    List<Golden> out = new ArrayList<>();
    for (JsonNode n :
        new ObjectMapper().readTree(Files.readString(DIR.resolve("golden/greedy.json")))) {
      out.add(new Golden(n.get("text").asText(), ints(n.get("prompt")), ints(n.get("greedy"))));
    }
    return out;
  }

  static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  static GenerationEngine engine(int kvBlocks, int blockSize, int maxRunning, int prefillChunk)
      throws Exception {
    EngineConfig config =
        new EngineConfig(128, blockSize, kvBlocks, maxRunning, 64, prefillChunk, 1);
    PagedDecoder decoder =
        new PagedDecoder(DIR.resolve("1/model.onnx"), kvBlocks + 1, blockSize, 1);
    return new GenerationEngine("gpt2-tiny", config, decoder, TOKENIZER, new ManualClock());
  }

  static GenerationRequest greedy(int[] prompt, int maxTokens, List<String> stop) {
    return new GenerationRequest(
        prompt, maxTokens, SamplingParams.GREEDY, stop, true, Long.MAX_VALUE);
  }

  /** Steps the engine by hand until it has nothing to do. */
  static int drain(GenerationEngine engine) {
    int steps = 0;
    while (engine.step()) {
      steps++;
    }
    return steps;
  }

  /** Collects one sequence's output. */
  static class Collected implements TokenSink {
    final List<Integer> tokens = new ArrayList<>();
    final StringBuilder text = new StringBuilder();
    final CompletableFuture<FinishReason> done = new CompletableFuture<>();
    volatile Usage usage;

    @Override
    public void onText(String delta, int token) {
      if (token >= 0) {
        tokens.add(token);
      }
      text.append(delta);
    }

    @Override
    public void onFinish(FinishReason reason, Usage u) {
      usage = u;
      done.complete(reason);
    }

    @Override
    public void onError(GenerationException error, Usage u) {
      usage = u;
      done.completeExceptionally(error);
    }

    int[] ids() {
      return tokens.stream().mapToInt(Integer::intValue).toArray();
    }
  }
}
