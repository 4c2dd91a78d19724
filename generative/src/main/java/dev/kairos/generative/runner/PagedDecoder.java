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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The model runner: one step of a paged decoder on ONNX Runtime for a batch of chunks.
 *
 * <p>The KV pool lives in one direct buffer per layer and kind, wrapped once as an ONNX tensor: the
 * model gathers each sequence's blocks from it by block table, so a step copies nothing but the new
 * tokens' keys and values, which this class writes into their blocks after the step. Decoding
 * sequences and prompt chunks share one model call (one pass over the weights); prompt chunks of
 * different lengths are right-padded, and the attention masks hide the padding and the unused tail
 * of each sequence's last block.
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

  /**
   * Runs one step in one model call; returns the logits of each chunk's last token, in order.
   *
   * <p>Chunks of one token (decoding sequences) form the model's decode group and longer ones its
   * prompt-chunk group; the model computes both over one pass of its weights.
   */
  public float[][] step(List<Chunk> chunks) throws OrtException {
    List<Integer> singles = new ArrayList<>();
    List<Integer> multis = new ArrayList<>();
    for (int i = 0; i < chunks.size(); i++) {
      (chunks.get(i).tokens().length == 1 ? singles : multis).add(i);
    }
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      putDecodeGroup(chunks, singles, inputs);
      int t = putChunkGroup(chunks, multis, inputs);
      for (int l = 0; l < signature.layers(); l++) {
        inputs.put("key_cache." + l, poolTensors[2 * l]);
        inputs.put("value_cache." + l, poolTensors[2 * l + 1]);
      }
      try (OrtSession.Result result = session.run(inputs)) {
        for (int l = 0; l < signature.layers(); l++) {
          // the decode group's [D, H, Dh] is the chunk layout with one token per row
          store(chunks, singles, 1, output(result, "decode_key." + l), pool[2 * l]);
          store(chunks, singles, 1, output(result, "decode_value." + l), pool[2 * l + 1]);
          store(chunks, multis, t, output(result, "key." + l), pool[2 * l]);
          store(chunks, multis, t, output(result, "value." + l), pool[2 * l + 1]);
        }
        float[][] rows = (float[][]) result.get("logits").orElseThrow().getValue();
        float[][] logits = new float[chunks.size()][];
        for (int r = 0; r < singles.size(); r++) {
          logits[singles.get(r)] = rows[r];
        }
        for (int r = 0; r < multis.size(); r++) {
          logits[multis.get(r)] = rows[singles.size() + r];
        }
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

  /** The one-token rows: [D] ids and positions, [D, ND] tables, [D, ND*BS+1] mask. */
  private void putDecodeGroup(List<Chunk> chunks, List<Integer> rows, Map<String, OnnxTensor> in)
      throws OrtException {
    int d = rows.size();
    int nb = 1;
    for (int i : rows) {
      nb = Math.max(nb, blocksOfPast(chunks.get(i)));
    }
    int keys = nb * blockSize + 1;
    long[] ids = new long[d];
    long[] positions = new long[d];
    long[] tables = new long[d * nb];
    long[] mask = new long[d * keys];
    for (int r = 0; r < d; r++) {
      Chunk c = chunks.get(rows.get(r));
      ids[r] = c.tokens()[0];
      positions[r] = c.past();
      for (int k = 0; k < blocksOfPast(c); k++) {
        tables[r * nb + k] = c.blocks()[k];
      }
      for (int k = 0; k < c.past(); k++) {
        mask[r * keys + k] = 1;
      }
      mask[r * keys + keys - 1] = 1;
    }
    in.put("decode_ids", tensor(ids, d));
    in.put("decode_positions", tensor(positions, d));
    in.put("decode_block_tables", tensor(tables, d, nb));
    in.put("decode_mask", tensor(mask, d, keys));
  }

  /**
   * The longer rows, right-padded to the longest: [B, T] ids and positions, [B, NB] tables, [B,
   * NB*BS+T] mask, [B] index of each row's last token. Returns T.
   */
  private int putChunkGroup(List<Chunk> chunks, List<Integer> rows, Map<String, OnnxTensor> in)
      throws OrtException {
    int b = rows.size();
    int t = 1;
    int nb = 1;
    for (int i : rows) {
      Chunk c = chunks.get(i);
      t = Math.max(t, c.tokens().length);
      nb = Math.max(nb, blocksOfPast(c));
    }
    int keys = nb * blockSize + t;
    long[] ids = new long[b * t];
    long[] positions = new long[b * t];
    long[] tables = new long[b * nb];
    long[] mask = new long[b * keys];
    long[] last = new long[b];
    for (int r = 0; r < b; r++) {
      Chunk c = chunks.get(rows.get(r));
      for (int j = 0; j < c.tokens().length; j++) {
        ids[r * t + j] = c.tokens()[j];
        positions[r * t + j] = c.past() + j;
        mask[r * keys + nb * blockSize + j] = 1;
      }
      for (int k = 0; k < blocksOfPast(c); k++) {
        tables[r * nb + k] = c.blocks()[k];
      }
      for (int k = 0; k < c.past(); k++) {
        mask[r * keys + k] = 1;
      }
      last[r] = c.tokens().length - 1;
    }
    in.put("input_ids", tensor(ids, b, t));
    in.put("position_ids", tensor(positions, b, t));
    in.put("block_tables", tensor(tables, b, nb));
    in.put("attention_mask", tensor(mask, b, keys));
    in.put("logits_index", tensor(last, b));
    return t;
  }

  private int blocksOfPast(Chunk c) {
    return (c.past() + blockSize - 1) / blockSize;
  }

  private static OnnxTensor output(OrtSession.Result result, String name) {
    return (OnnxTensor)
        result
            .get(name)
            .orElseThrow(() -> new IllegalStateException("the model returned no " + name));
  }

  /**
   * Writes a group's new keys or values [B, H, T, Dh] into each token's slot ({@code t} tokens per
   * row, the chunk's own count at most).
   */
  private void store(
      List<Chunk> chunks, List<Integer> rows, int t, OnnxTensor out, FloatBuffer target) {
    FloatBuffer src = out.getFloatBuffer();
    int heads = signature.heads();
    int d = signature.headDim();
    float[] row = new float[d];
    for (int r = 0; r < rows.size(); r++) {
      Chunk c = chunks.get(rows.get(r));
      for (int j = 0; j < c.tokens().length; j++) {
        int position = c.past() + j;
        int block = c.blocks()[position / blockSize];
        int slot = position % blockSize;
        for (int h = 0; h < heads; h++) {
          src.get(((r * heads + h) * t + j) * d, row);
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
