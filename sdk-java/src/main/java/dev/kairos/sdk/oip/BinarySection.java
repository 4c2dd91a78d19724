package dev.kairos.sdk.oip;

import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Shapes;
import dev.kairos.sdk.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The binary section after the JSON header, consumed tensor by tensor in order. */
final class BinarySection {
  private final byte[] body;
  private int pos;

  BinarySection(byte[] body, int jsonLength) {
    this.body = body;
    this.pos = jsonLength;
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
    if (size > body.length - pos) {
      throw new InvalidInputException(
          who
              + ": "
              + OipJsonDecoder.BINARY_DATA_SIZE
              + " is "
              + size
              + " but only "
              + (body.length - pos)
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
      return Tensor.of(name, type, shape, ByteBuffer.wrap(body, start, (int) size), rest);
    }
    List<byte[]> elements =
        BytesLayout.decode(ByteBuffer.wrap(body, start, (int) size), shape, who, "binary data");
    return Tensor.ofBytes(name, shape, elements, rest);
  }

  void ensureConsumed() {
    if (pos != body.length) {
      throw new InvalidInputException(
          (body.length - pos) + " bytes of binary data are not claimed by any tensor");
    }
  }
}
