package dev.kairos.sdk.oip;

import dev.kairos.sdk.tensor.Shapes;
import dev.kairos.sdk.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The protocol's binary layout of a BYTES tensor, shared by REST's binary extension and gRPC's raw
 * contents: each element as a 4-byte little-endian length followed by its bytes.
 */
public final class BytesLayout {
  private BytesLayout() {}

  /** A BYTES tensor's elements in this layout, as a buffer positioned at 0. */
  public static ByteBuffer encode(Tensor t) {
    ByteBuffer out =
        ByteBuffer.allocate(Math.toIntExact(t.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] e : t.bytesElements()) {
      out.putInt(e.length).put(e);
    }
    return out.flip();
  }

  /**
   * Reads exactly the elements {@code shape} calls for from all of {@code data}.
   *
   * @param who the tensor, for messages (e.g. "input 'text'")
   * @param source what the bytes are called, for messages (e.g. "binary data", "raw contents")
   * @throws InvalidInputException when a length overruns the data or the count does not match
   */
  public static List<byte[]> decode(ByteBuffer data, long[] shape, String who, String source) {
    long expected = Shapes.elementCount(shape);
    ByteBuffer b = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    List<byte[]> elements = new ArrayList<>();
    while (b.hasRemaining()) {
      if (b.remaining() < 4 || elements.size() >= expected) {
        throw new InvalidInputException(
            who + ": BYTES " + source + " do not match shape " + Shapes.format(shape));
      }
      int len = b.getInt();
      if (len < 0 || len > b.remaining()) {
        throw new InvalidInputException(
            who + ": BYTES element of " + len + " bytes overruns its " + source);
      }
      byte[] e = new byte[len];
      b.get(e);
      elements.add(e);
    }
    if (elements.size() != expected) {
      throw new InvalidInputException(
          who
              + ": shape "
              + Shapes.format(shape)
              + " needs "
              + expected
              + " elements, "
              + source
              + " hold "
              + elements.size());
    }
    return elements;
  }
}
