package dev.kairos.generative.runner;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.Map;

/**
 * The shape of a paged decoder, read from its ONNX file: layers from the {@code key_cache.L}
 * inputs, heads and head size from their shape {@code [blocks, heads, block_size, head_dim]}, the
 * vocabulary from {@code logits [batch, vocab]}.
 */
public record DecoderSignature(int layers, int heads, int headDim, int vocab) {
  static final String[] INPUTS = {
    "decode_ids",
    "decode_positions",
    "decode_block_tables",
    "decode_mask",
    "input_ids",
    "position_ids",
    "block_tables",
    "attention_mask",
    "logits_index"
  };

  static DecoderSignature read(OrtSession session) throws OrtException {
    Map<String, NodeInfo> in = session.getInputInfo();
    for (String name : INPUTS) {
      if (!in.containsKey(name)) {
        throw new IllegalArgumentException(
            "not a paged decoder: the ONNX file has no input '"
                + name
                + "' (inputs: "
                + in.keySet()
                + "); export it with the current tools/models/make_gpt2.py");
      }
    }
    int layers = 0;
    while (in.containsKey("key_cache." + layers) && in.containsKey("value_cache." + layers)) {
      layers++;
    }
    if (layers == 0) {
      throw new IllegalArgumentException("not a paged decoder: no key_cache.0 / value_cache.0");
    }
    long[] cache = ((TensorInfo) in.get("key_cache.0").getInfo()).getShape();
    long[] logits = ((TensorInfo) session.getOutputInfo().get("logits").getInfo()).getShape();
    if (cache.length != 4 || cache[1] <= 0 || cache[3] <= 0 || logits.length != 2) {
      throw new IllegalArgumentException(
          "not a paged decoder: key_cache.0 must be [blocks, heads, block_size, head_dim] with"
              + " fixed heads and head_dim, logits [batch, vocab]");
    }
    return new DecoderSignature(layers, (int) cache[1], (int) cache[3], (int) logits[1]);
  }
}
