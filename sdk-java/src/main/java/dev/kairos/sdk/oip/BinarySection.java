package dev.kairos.sdk.oip;

import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Shapes;
import dev.kairos.sdk.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary section after the JSON header, consumed tensor by tensor in order. Tensors are views
 * of it, not copies: a binary section in a direct buffer gives tensors an engine can read in place.
 */
final class BinarySection {
  private final ByteBuffer data;
  private final int end;
  private int pos;

  BinarySection(byte[] body, int jsonLength) {
    this(ByteBuffer.wrap(body), jsonLength, body.length);
  }

  /** The bytes between {@code data}'s position and its limit. */
  BinarySection(ByteBuffer data) {
    this(data, data.position(), data.limit());
  }

  private BinarySection(ByteBuffer data, int start, int end) {
    this.data = data;
    this.pos = start;
    this.end = end;
  }

  private ByteBuffer range(int from, int size) {
    return data.duplicate().limit(from + size).position(from);
  }

  Tensor take(
      String who,
      String name,
      DataType type,
      long[] shape,
      Object sizeParam,
      Map<String, Object> params) {
    if (!(sizeParam instanceof Number n) || n.longValue() < 0 || n.doubleValue() != n.longValue()) {
      throw new InvalidInputException(
          who + ": " + OipJsonDecoder.BINARY_DATA_SIZE + " must be a non-negative integer");
    }
    long size = n.longValue();
    if (size > end - pos) {
      throw new InvalidInputException(
          who
              + ": "
              + OipJsonDecoder.BINARY_DATA_SIZE
              + " is "
              + size
              + " but only "
              + (end - pos)
              + " bytes of binary data remain");
    }
    Map<String, Object> rest = new LinkedHashMap<>(params);
    rest.remove(OipJsonDecoder.BINARY_DATA_SIZE);
    int start = pos;
    pos += (int) size;
    long expected = Shapes.elementCount(shape);
    if (type.isFixedSize()) {
      if (size != expected * type.byteSize()) {
        throw new InvalidInputException(
            who
                + ": shape "
                + Shapes.format(shape)
                + " of "
                + type
                + " needs "
                + expected * type.byteSize()
                + " bytes, "
                + OipJsonDecoder.BINARY_DATA_SIZE
                + " is "
                + size);
      }
      return Tensor.of(name, type, shape, range(start, (int) size), rest);
    }
    List<byte[]> elements = BytesLayout.decode(range(start, (int) size), shape, who, "binary data");
    return Tensor.ofBytes(name, shape, elements, rest);
  }

  void ensureConsumed() {
    if (pos != end) {
      throw new InvalidInputException(
          (end - pos) + " bytes of binary data are not claimed by any tensor");
    }
  }
}
