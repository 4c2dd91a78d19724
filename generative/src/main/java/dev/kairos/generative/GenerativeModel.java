package dev.kairos.generative;

import ai.onnxruntime.OrtException;
import dev.kairos.generative.api.ChatTemplate;
import dev.kairos.generative.api.RequestReader;
import dev.kairos.generative.runner.PagedDecoder;
import dev.kairos.generative.text.GptTokenizer;
import dev.kairos.sdk.model.GenerationConfig;
import dev.kairos.sdk.time.Clock;
import java.nio.file.Path;

/**
 * A text-generation model ready to serve: its engine (started) and the reader of its API requests,
 * built from its ONNX file and {@code model.yaml}.
 */
public record GenerativeModel(String name, GenerationEngine engine, RequestReader requests)
    implements AutoCloseable {

  /**
   * Loads the decoder, sizes the KV pool from {@code kvCacheMemory} and the layer shapes read from
   * the file, and starts the engine.
   */
  public static GenerativeModel load(
      String name, Path onnx, GenerationConfig g, int threads, Clock clock) {
    return load(name, onnx, g, threads, clock, StepGate.open());
  }

  /** As above, each model step passing {@code gate} first (the device arbiter's slice). */
  public static GenerativeModel load(
      String name, Path onnx, GenerationConfig g, int threads, Clock clock, StepGate gate) {
    GptTokenizer tokenizer = GptTokenizer.named(g.tokenizer());
    int[] blocks = new int[1];
    PagedDecoder decoder;
    try {
      decoder =
          new PagedDecoder(
              onnx,
              s -> {
                long perBlock = PagedDecoder.blockBytes(s, g.blockSize());
                long fit = g.kvCacheBytes() / perBlock;
                int context = (g.contextLength() + g.blockSize() - 1) / g.blockSize();
                if (fit < context) {
                  throw new IllegalArgumentException(
                      "generation.kvCacheMemory = "
                          + g.kvCacheBytes()
                          + " bytes holds "
                          + fit
                          + " blocks of "
                          + perBlock
                          + " bytes, needs at least one full context ("
                          + context
                          + " blocks)");
                }
                blocks[0] = (int) Math.min(fit, Integer.MAX_VALUE - 1);
                return blocks[0] + 1;
              },
              g.blockSize(),
              threads);
    } catch (OrtException e) {
      throw new IllegalArgumentException("cannot load " + onnx + ": " + e.getMessage(), e);
    }
    EngineConfig config =
        new EngineConfig(
            g.contextLength(),
            g.blockSize(),
            blocks[0],
            g.maxRunning(),
            g.maxWaiting(),
            g.prefillChunk(),
            threads);
    GenerationEngine engine = new GenerationEngine(name, config, decoder, tokenizer, clock, gate);
    RequestReader requests =
        new RequestReader(name, tokenizer, g.contextLength(), ChatTemplate.named(g.chatTemplate()));
    return new GenerativeModel(name, engine.start(), requests);
  }

  @Override
  public void close() throws Exception {
    engine.close();
  }
}
