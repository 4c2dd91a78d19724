package dev.kairos.generative.runner;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kairos.generative.ort.OnnxEnvironment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The model runner: one step of a paged decoder on ONNX Runtime for a batch of chunks.
 *
 * <p>The KV pool lives in one direct buffer per layer and kind, wrapped once as an ONNX tensor: the
 * model gathers each sequence's blocks from it by block table, so a step copies nothing but the new
 * tokens' keys and values, which this class writes into their blocks after the step. Rows of
 * different lengths are right-padded; the attention mask hides the padding and the unused tail of
 * each sequence's last block.
 */
public final class PagedDecoder implements AutoCloseable {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final DecoderSignature signature;
  private final int blockSize;
  private final FloatBuffer[] pool;
  private final OnnxTensor[] poolTensors;
  private final int blockFloats;

  /**
   * @param model the ONNX file
   * @param blocks blocks in the KV pool, the null block 0 included
   * @param blockSize tokens per block
   * @param threads ONNX Runtime intra-op threads (0: its default)
   */
  public PagedDecoder(Path model, int blocks, int blockSize, int threads) throws OrtException {
    this(model, s -> blocks, blockSize, threads);
  }

  /**
   * @param blocks blocks in the KV pool (the null block 0 included), from the model's signature
   */
  public PagedDecoder(
      Path model,
      java.util.function.ToIntFunction<DecoderSignature> blocksFor,
      int blockSize,
      int threads)
      throws OrtException {
    this.env = OnnxEnvironment.get();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    if (threads > 0) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
    }
    options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    // As the tensor path's engine: spinning worker threads would steal the cores that other
    // replicas, and this model's own event loop, run on.
    options.addConfigEntry("session.intra_op.allow_spinning", "0");
    this.session = env.createSession(model.toString(), options);
    this.signature = DecoderSignature.read(session);
    this.blockSize = blockSize;
    this.blockFloats = signature.heads() * blockSize * signature.headDim();
    int blocks = blocksFor.applyAsInt(signature);
    int tensors = 2 * signature.layers();
    this.pool = new FloatBuffer[tensors];
    this.poolTensors = new OnnxTensor[tensors];
    long[] shape = {blocks, signature.heads(), blockSize, signature.headDim()};
    long bytes = (long) blocks * blockFloats * Float.BYTES;
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "KV pool of " + blocks + " blocks needs " + bytes + " bytes per layer, over 2 GiB");
    }
    try {
      for (int i = 0; i < tensors; i++) {
        pool[i] =
            ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder()).asFloatBuffer();
        poolTensors[i] = OnnxTensor.createTensor(env, pool[i], shape);
      }
    } catch (OutOfMemoryError e) {
      session.close();
      throw new IllegalArgumentException(
          "the KV cache ("
              + tensors
              + " x "
              + bytes
              + " bytes) does not fit in direct memory ("
              + e.getMessage()
              + "): lower generation.kvCacheMemory or raise -XX:MaxDirectMemorySize");
    }
  }

  public DecoderSignature signature() {
    return signature;
  }

  /** Bytes of KV cache one block takes across all layers. */
  public static long blockBytes(DecoderSignature s, int blockSize) {
    return 2L * s.layers() * s.heads() * blockSize * s.headDim() * Float.BYTES;
  }

  /** Runs one step; returns the logits of each chunk's last token, in order. */
  public float[][] step(List<Chunk> chunks) throws OrtException {
    int b = chunks.size();
    int t = 0;
    int nb = 1;
    for (Chunk c : chunks) {
      t = Math.max(t, c.tokens().length);
      nb = Math.max(nb, (c.past() + blockSize - 1) / blockSize);
    }
    int keys = nb * blockSize + t;
    long[] ids = new long[b * t];
    long[] positions = new long[b * t];
    long[] tables = new long[b * nb];
    long[] mask = new long[b * keys];
    long[] last = new long[b];
    for (int i = 0; i < b; i++) {
      Chunk c = chunks.get(i);
      for (int j = 0; j < c.tokens().length; j++) {
        ids[i * t + j] = c.tokens()[j];
        positions[i * t + j] = c.past() + j;
        mask[i * keys + nb * blockSize + j] = 1;
      }
      int pastBlocks = (c.past() + blockSize - 1) / blockSize;
      for (int k = 0; k < pastBlocks; k++) {
        tables[i * nb + k] = c.blocks()[k];
      }
      for (int k = 0; k < c.past(); k++) {
        mask[i * keys + k] = 1;
      }
      last[i] = c.tokens().length - 1;
    }
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put("input_ids", tensor(ids, b, t));
      inputs.put("position_ids", tensor(positions, b, t));
      inputs.put("block_tables", tensor(tables, b, nb));
      inputs.put("attention_mask", tensor(mask, b, keys));
      inputs.put("logits_index", tensor(last, b));
      for (int l = 0; l < signature.layers(); l++) {
        inputs.put("key_cache." + l, poolTensors[2 * l]);
        inputs.put("value_cache." + l, poolTensors[2 * l + 1]);
      }
      try (OrtSession.Result result = session.run(inputs)) {
        for (int l = 0; l < signature.layers(); l++) {
          store(chunks, t, (OnnxTensor) result.get("key." + l).orElseThrow(), pool[2 * l]);
          store(chunks, t, (OnnxTensor) result.get("value." + l).orElseThrow(), pool[2 * l + 1]);
        }
        float[][] logits = (float[][]) result.get("logits").orElseThrow().getValue();
        return logits;
      }
    } finally {
      for (Map.Entry<String, OnnxTensor> e : inputs.entrySet()) {
        if (!e.getKey().contains("_cache.")) {
          e.getValue().close();
        }
      }
    }
  }

  /** Writes new keys or values [B, H, T, D] into each token's slot of its sequence's blocks. */
  private void store(List<Chunk> chunks, int t, OnnxTensor out, FloatBuffer target) {
    FloatBuffer src = out.getFloatBuffer();
    int heads = signature.heads();
    int d = signature.headDim();
    float[] row = new float[d];
    for (int i = 0; i < chunks.size(); i++) {
      Chunk c = chunks.get(i);
      for (int j = 0; j < c.tokens().length; j++) {
        int position = c.past() + j;
        int block = c.blocks()[position / blockSize];
        int slot = position % blockSize;
        for (int h = 0; h < heads; h++) {
          src.get(((i * heads + h) * t + j) * d, row);
          target.put(block * blockFloats + (h * blockSize + slot) * d, row);
        }
      }
    }
  }

  private OnnxTensor tensor(long[] data, long... shape) throws OrtException {
    return OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape);
  }

  @Override
  public void close() throws OrtException {
    for (OnnxTensor t : poolTensors) {
      t.close();
    }
    session.close();
  }
}
