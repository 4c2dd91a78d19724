package dev.kairos.runtime.batch;

import dev.kairos.runtime.buffer.DirectBufferPool;
import dev.kairos.runtime.buffer.PooledBuffer;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.RequestedOutput;
import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * Joins requests that each carry a batch dimension (dimension 0) into one, and splits the answer
 * back. Two requests can share a batch when they have the same inputs (names, datatypes, every
 * dimension but the first) and ask for the same outputs.
 */
public final class BatchTensors {
  private BatchTensors() {}

  /**
   * The key that requests sharing a batch have in common, or null when the request cannot be
   * batched (an input of rank 0, or inputs that disagree on dimension 0).
   */
  public static String batchKey(InferenceRequest r) {
    if (r.inputs().isEmpty()) {
      return null;
    }
    long rows = -1;
    Map<String, String> parts = new TreeMap<>();
    for (Tensor t : r.inputs()) {
      if (t.rank() == 0) {
        return null;
      }
      if (rows >= 0 && t.dim(0) != rows) {
        return null;
      }
      rows = t.dim(0);
      long[] s = t.shape();
      parts.put(t.name(), t.datatype() + Arrays.toString(Arrays.copyOfRange(s, 1, s.length)));
    }
    StringBuilder key = new StringBuilder(parts.toString());
    key.append("->");
    for (RequestedOutput o : r.outputs()) {
      key.append(o.name()).append(',');
    }
    return key.toString();
  }

  /** Rows of a batchable request: dimension 0 of its inputs; 1 for a request that is not. */
  public static int rows(InferenceRequest r) {
    if (r.inputs().isEmpty() || r.inputs().get(0).rank() == 0) {
      return 1;
    }
    return (int) r.inputs().get(0).dim(0);
  }

  /**
   * One request holding every request's inputs, concatenated along dimension 0 in order. The data
   * goes into new direct buffers, so ONNX Runtime reads it without another copy; the batch may
   * outlive the call (an engine's outputs may be views of its inputs).
   */
  public static InferenceRequest concat(List<InferenceRequest> requests) {
    return concat(requests, bytes -> ByteBuffer.allocateDirect(bytes));
  }

  /**
   * As {@link #concat(List)}, into buffers taken from {@code pool}; each is added to {@code held},
   * which the caller closes once nothing reads the batch any more (for an engine that copies its
   * outputs out, as soon as it has run).
   */
  public static InferenceRequest concat(
      List<InferenceRequest> requests, DirectBufferPool pool, List<PooledBuffer> held) {
    return concat(
        requests,
        bytes -> {
          PooledBuffer b = pool.take(bytes);
          held.add(b);
          return b.buffer();
        });
  }

  private static InferenceRequest concat(
      List<InferenceRequest> requests, IntFunction<ByteBuffer> allocate) {
    if (requests.size() == 1) {
      return requests.get(0);
    }
    InferenceRequest first = requests.get(0);
    List<Tensor> joined = new ArrayList<>(first.inputs().size());
    for (Tensor proto : first.inputs()) {
      List<Tensor> parts = new ArrayList<>(requests.size());
      long rows = 0;
      for (InferenceRequest r : requests) {
        Tensor t = r.requireInput(proto.name());
        parts.add(t);
        rows += t.dim(0);
      }
      long[] shape = proto.shape();
      shape[0] = rows;
      joined.add(join(proto, parts, shape, allocate));
    }
    return new InferenceRequest(null, Map.of(), joined, first.outputs());
  }

  private static Tensor join(
      Tensor proto, List<Tensor> parts, long[] shape, IntFunction<ByteBuffer> allocate) {
    if (proto.datatype() == DataType.BYTES) {
      List<byte[]> all = new ArrayList<>();
      for (Tensor t : parts) {
        all.addAll(t.bytesElements());
      }
      return Tensor.ofBytes(proto.name(), shape, all);
    }
    long bytes = 0;
    for (Tensor t : parts) {
      bytes += t.byteSize();
    }
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("batch of " + bytes + " bytes is too large");
    }
    ByteBuffer out = allocate.apply((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (Tensor t : parts) {
      out.put(t.buffer());
    }
    out.flip();
    return Tensor.of(proto.name(), proto.datatype(), shape, out);
  }

  /**
   * Splits a batched response into one response per request, by the requests' row counts.
   * Fixed-size outputs are sliced without copying.
   *
   * @throws IllegalStateException when an output's dimension 0 is not the batch's row count: the
   *     model does not keep the batch dimension, and the batch cannot be split
   */
  public static List<InferenceResponse> split(InferenceResponse batched, int[] rows) {
    if (rows.length == 1) {
      return List.of(batched);
    }
    long total = 0;
    for (int r : rows) {
      total += r;
    }
    List<List<Tensor>> per = new ArrayList<>(rows.length);
    for (int i = 0; i < rows.length; i++) {
      per.add(new ArrayList<>(batched.outputs().size()));
    }
    for (Tensor out : batched.outputs()) {
      if (out.rank() == 0 || out.dim(0) != total) {
        throw new IllegalStateException(
            "output '"
                + out.name()
                + "' has shape "
                + Arrays.toString(out.shape())
                + ", which does not keep the batch dimension of "
                + total
                + " rows");
      }
      long[] shape = out.shape();
      long rowElements = total == 0 ? 0 : out.elementCount() / total;
      long offset = 0;
      for (int i = 0; i < rows.length; i++) {
        shape[0] = rows[i];
        per.get(i).add(slice(out, shape, offset, rows[i] * rowElements));
        offset += rows[i] * rowElements;
      }
    }
    List<InferenceResponse> result = new ArrayList<>(rows.length);
    for (List<Tensor> outs : per) {
      result.add(new InferenceResponse(null, null, null, batched.parameters(), outs));
    }
    return result;
  }

  private static Tensor slice(Tensor t, long[] shape, long fromElement, long elements) {
    if (t.datatype() == DataType.BYTES) {
      List<byte[]> all = t.bytesElements();
      return Tensor.ofBytes(
          t.name(), shape, all.subList((int) fromElement, (int) (fromElement + elements)));
    }
    int size = t.datatype().byteSize();
    ByteBuffer b = t.buffer();
    b.position((int) (fromElement * size)).limit((int) ((fromElement + elements) * size));
    return Tensor.of(t.name(), t.datatype(), shape, b);
  }
}
