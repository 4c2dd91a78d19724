import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The raw ONNX Runtime decode loop the engine is compared with: one session with the engine's
 * session options, a KV pool of direct buffers, each sequence in its own contiguous run of blocks,
 * and a loop of session.run + write back the new keys and values + argmax. No scheduler, no
 * sampler object, no text, no sinks: what is left when the engine's bookkeeping is taken away.
 */
final class RawDecodeLoop implements AutoCloseable {
  final OrtEnvironment env;
  final OrtSession session;
  final int layers;
  final int heads;
  final int headDim;
  final int blockSize;
  final int blockFloats;
  final FloatBuffer[] pool;
  final OnnxTensor[] poolTensors;
  /**
   * Where block {@code b} of the contiguous layout really lies in the pool: the identity, or a
   * shuffle (scattered blocks, as a pool that has served a while hands them out).
   */
  int[] placement;

  /** Time inside session.run, summed (the caller resets it). */
  long runNanos;

  RawDecodeLoop(String model, int blocks, int blockSize, int threads) throws OrtException {
    this(model, blocks, blockSize, threads, null);
  }

  /** As above; with a {@code profile} file prefix, ONNX Runtime's profiler records every run. */
  RawDecodeLoop(String model, int blocks, int blockSize, int threads, String profile)
      throws OrtException {
    env = dev.kairos.generative.ort.OnnxEnvironment.get();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    if (profile != null) {
      options.enableProfiling(profile);
    }
    // The same options as dev.kairos.generative.runner.PagedDecoder.
    options.setIntraOpNumThreads(threads);
    options.setInterOpNumThreads(1);
    options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    options.addConfigEntry("session.intra_op.allow_spinning", "0");
    session = env.createSession(model, options);
    int l = 0;
    while (session.getInputNames().contains("key_cache." + l)) {
      l++;
    }
    layers = l;
    long[] cache =
        ((ai.onnxruntime.TensorInfo) session.getInputInfo().get("key_cache.0").getInfo())
            .getShape();
    heads = (int) cache[1];
    headDim = (int) cache[3];
    this.blockSize = blockSize;
    blockFloats = heads * blockSize * headDim;
    pool = new FloatBuffer[2 * layers];
    poolTensors = new OnnxTensor[2 * layers];
    long[] shape = {blocks, heads, blockSize, headDim};
    for (int i = 0; i < 2 * layers; i++) {
      pool[i] =
          ByteBuffer.allocateDirect(blocks * blockFloats * Float.BYTES)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
      poolTensors[i] = OnnxTensor.createTensor(env, pool[i], shape);
    }
  }

  /**
   * One step for {@code b} sequences each computing {@code t} tokens after {@code past} cached
   * ones; sequence i owns blocks {@code 1 + i * perSeq ..}. One-token rows go in the model's decode
   * group, longer ones in its prompt-chunk group (the other group empty), as the engine does.
   * Returns the argmax of each row.
   */
  int[] step(long[] ids, int b, int t, int past, int perSeq) throws OrtException {
    boolean decoding = t == 1;
    int nb = Math.max(1, (past + blockSize - 1) / blockSize);
    int keys = nb * blockSize + t;
    long[] positions = new long[b * t];
    long[] tables = new long[b * nb];
    long[] mask = new long[b * keys];
    long[] last = new long[b];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < t; j++) {
        positions[i * t + j] = past + j;
        mask[i * keys + nb * blockSize + j] = 1;
      }
      for (int k = 0; k < (past + blockSize - 1) / blockSize; k++) {
        tables[i * nb + k] = place(1 + i * perSeq + k);
      }
      for (int k = 0; k < past; k++) {
        mask[i * keys + k] = 1;
      }
      last[i] = t - 1;
    }
    int rows = decoding ? b : 0;
    int chunks = decoding ? 0 : b;
    long[] none = new long[0];
    Map<String, OnnxTensor> in = new HashMap<>();
    try (OnnxTensor di = tensor(decoding ? ids : none, rows);
        OnnxTensor dp = tensor(decoding ? positions : none, rows);
        // an empty group's tables and mask agree (1 block of keys, + 1), whatever the other's past
        OnnxTensor dt = tensor(decoding ? tables : none, rows, decoding ? nb : 1);
        OnnxTensor dm = tensor(decoding ? mask : none, rows, decoding ? keys : blockSize + 1);
        OnnxTensor a = tensor(decoding ? none : ids, chunks, t);
        OnnxTensor p = tensor(decoding ? none : positions, chunks, t);
        OnnxTensor bt = tensor(decoding ? none : tables, chunks, nb);
        OnnxTensor m = tensor(decoding ? none : mask, chunks, keys);
        OnnxTensor li = tensor(decoding ? none : last, chunks)) {
      in.put("decode_ids", di);
      in.put("decode_positions", dp);
      in.put("decode_block_tables", dt);
      in.put("decode_mask", dm);
      in.put("input_ids", a);
      in.put("position_ids", p);
      in.put("block_tables", bt);
      in.put("attention_mask", m);
      in.put("logits_index", li);
      for (int l = 0; l < layers; l++) {
        in.put("key_cache." + l, poolTensors[2 * l]);
        in.put("value_cache." + l, poolTensors[2 * l + 1]);
      }
      long t0 = System.nanoTime();
      OrtSession.Result result = session.run(in);
      runNanos += System.nanoTime() - t0;
      try (OrtSession.Result r = result) {
        float[] row = new float[headDim];
        for (int l = 0; l < 2 * layers; l++) {
          String name = (decoding ? "decode_" : "") + (l % 2 == 0 ? "key." : "value.") + (l / 2);
          FloatBuffer src = ((OnnxTensor) r.get(name).orElseThrow()).getFloatBuffer();
          for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
              int pos = past + j;
              int block = place(1 + i * perSeq + pos / blockSize);
              for (int h = 0; h < heads; h++) {
                src.get(((i * heads + h) * t + j) * headDim, row);
                pool[l].put(block * blockFloats + (h * blockSize + pos % blockSize) * headDim, row);
              }
            }
          }
        }
        float[][] logits = (float[][]) r.get("logits").orElseThrow().getValue();
        int[] next = new int[b];
        for (int i = 0; i < b; i++) {
          int best = 0;
          for (int v = 1; v < logits[i].length; v++) {
            if (logits[i][v] > logits[i][best]) {
              best = v;
            }
          }
          next[i] = best;
        }
        return next;
      }
    }
  }

  private int place(int block) {
    return placement == null ? block : placement[block];
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
