package dev.kairos.sdk.oip;

import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Fp16;
import dev.kairos.sdk.tensor.Shapes;
import dev.kairos.sdk.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Tensor data read from JSON into a typed little-endian buffer, flat or nested. */
final class TensorDataReader {
  private final String label;
  private final String name;
  private final DataType type;
  private final long[] shape;
  private final long expected;
  private final JsonCursor c;
  private final JsonNumbers.Scanned scanned = new JsonNumbers.Scanned();
  private final long[] integer = new long[1];
  private final int[] numberEnd = new int[1];
  private ByteBuffer buf;
  private List<byte[]> strings;
  private long count;
  private boolean nested;

  TensorDataReader(String kind, String name, DataType type, long[] shape, JsonCursor c) {
    this.label = kind + " '" + name + "'";
    this.name = name;
    this.type = type;
    this.shape = shape;
    this.expected = Shapes.elementCount(shape);
    this.c = c;
    if (type.isFixedSize()) {
      // Never trust a declared shape for an allocation: a JSON element takes at least 2 bytes.
      long bound = (c.end - c.pos) / 2 + 1;
      buf =
          ByteBuffer.allocate((int) (Math.min(expected, bound) * type.byteSize()))
              .order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  void read() {
    if (type == DataType.BYTES) {
      strings = new ArrayList<>();
      flattenStrings(c.jacksonValue(label + " data"));
    } else if (c.peek() == '[') {
      int save = c.pos;
      c.pos++;
      c.ws();
      nested = c.peek() == '[';
      c.pos = save;
      if (type != DataType.FP32 || nested || !readFlatFloats()) {
        c.pos = save;
        readArray(1);
      }
    } else {
      element(); // a bare scalar, for a single-element tensor
    }
  }

  /**
   * The common case, flat FP32 data, in one tight loop into a {@code float[]}. Returns false,
   * having consumed nothing that counts, on anything unusual (a non-number, too many elements,
   * overflow, malformed separators); the general path then reads the data again and names the
   * problem.
   */
  private boolean readFlatFloats() {
    byte[] b = c.b;
    int end = c.end;
    int i = JsonCursor.skipWs(b, c.pos + 1, end);
    float[] values = new float[(int) Math.min(expected, (end - i) / 2 + 1)];
    int n = 0;
    if (i < end && b[i] == ']') {
      i++;
    } else {
      while (true) {
        if (n == values.length) {
          return false;
        }
        double d = JsonNumbers.readDouble(b, i, end, numberEnd);
        float f = (float) d;
        if (Double.isNaN(d) || Float.isInfinite(f)) {
          return false;
        }
        values[n++] = f;
        i = JsonCursor.skipWs(b, numberEnd[0], end);
        if (i >= end) {
          return false;
        }
        byte x = b[i++];
        if (x == ']') {
          break;
        }
        if (x != ',') {
          return false;
        }
        i = JsonCursor.skipWs(b, i, end);
      }
    }
    count = n;
    buf = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values, 0, n);
    buf.position(n * 4);
    c.pos = i;
    return true;
  }

  /**
   * Reads one array level. Data is either flat (scalars only, any count) or nested exactly as the
   * shape says: arrays down to the last dimension, each level as long as its dimension.
   */
  private void readArray(int depth) {
    if (depth > JsonCursor.MAX_RANK) {
      throw new InvalidInputException(
          label + ": data is nested deeper than " + JsonCursor.MAX_RANK + " levels");
    }
    c.pos++;
    c.ws();
    long n = 0;
    if (c.peek() != ']') {
      while (true) {
        c.ws();
        if (c.peek() == '[') {
          if (!nested || depth >= shape.length) {
            throw structure("an array where a number belongs, at depth " + depth);
          }
          readArray(depth + 1);
        } else {
          if (nested && depth < shape.length) {
            throw structure("a number where an array belongs, at depth " + depth);
          }
          element();
        }
        n++;
        c.ws();
        int x = c.peek();
        c.pos++;
        if (x == ']') {
          break;
        }
        if (x != ',') {
          c.pos--;
          throw c.malformed("expected ',' or ']' in the data of " + label);
        }
      }
    } else {
      c.pos++;
    }
    if (nested && n != shape[depth - 1]) {
      throw structure(n + " entries at depth " + depth + ", the shape says " + shape[depth - 1]);
    }
  }

  private InvalidInputException structure(String found) {
    return new InvalidInputException(
        label + ": nested data does not match shape " + Shapes.format(shape) + ": found " + found);
  }

  private void countElement() {
    if (++count > expected) {
      throw new InvalidInputException(
          label
              + ": shape "
              + Shapes.format(shape)
              + " needs "
              + expected
              + " elements, data has more");
    }
  }

  private void element() {
    countElement();
    if (buf.remaining() < 8) {
      grow();
    }
    byte[] b = c.b;
    int start = c.pos;
    if (type == DataType.BOOL) {
      if (literal("true")) {
        buf.put((byte) 1);
      } else if (literal("false")) {
        buf.put((byte) 0);
      } else {
        throw wrongType();
      }
      return;
    }
    if (type.isFloatingPoint()) {
      double d = JsonNumbers.readDouble(b, start, c.end, numberEnd);
      if (Double.isNaN(d)) {
        throw wrongType();
      }
      c.pos = numberEnd[0];
      if (type == DataType.FP32) {
        float f = (float) d;
        if (Float.isInfinite(f)) {
          throw outOfRange(start, numberEnd[0]);
        }
        buf.putFloat(f);
      } else if (type == DataType.FP64) {
        if (Double.isInfinite(d)) {
          throw outOfRange(start, numberEnd[0]);
        }
        buf.putDouble(d);
      } else {
        if (Math.abs(d) > 65504) {
          throw outOfRange(start, numberEnd[0]);
        }
        buf.putShort(Fp16.fromFloat((float) d));
      }
      return;
    }
    if (!JsonNumbers.scan(b, start, c.end, scanned)) {
      throw wrongType();
    }
    c.pos = scanned.end;
    switch (type) {
      default -> {
        if (!scanned.integral) {
          throw new InvalidInputException(
              label
                  + ": element "
                  + (count - 1)
                  + " is a number, expected an integer for datatype "
                  + type);
        }
        if (!JsonNumbers.toLong(b, start, scanned, type == DataType.UINT64, integer)) {
          throw outOfRange(start, scanned.end);
        }
        long v = integer[0];
        switch (type) {
          case INT8 -> buf.put((byte) range(start, scanned.end, v, Byte.MIN_VALUE, Byte.MAX_VALUE));
          case UINT8 -> buf.put((byte) range(start, scanned.end, v, 0, 0xff));
          case INT16 ->
              buf.putShort((short) range(start, scanned.end, v, Short.MIN_VALUE, Short.MAX_VALUE));
          case UINT16 -> buf.putShort((short) range(start, scanned.end, v, 0, 0xffff));
          case INT32 ->
              buf.putInt((int) range(start, scanned.end, v, Integer.MIN_VALUE, Integer.MAX_VALUE));
          case UINT32 -> buf.putInt((int) range(start, scanned.end, v, 0, 0xffffffffL));
          case INT64, UINT64 -> buf.putLong(v);
          default -> throw new IllegalStateException("unreachable: " + type);
        }
      }
    }
  }

  private boolean literal(String word) {
    int n = word.length();
    if (c.end - c.pos < n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (c.b[c.pos + i] != word.charAt(i)) {
        return false;
      }
    }
    c.pos += n;
    return true;
  }

  private void grow() {
    long grown = Math.min((long) buf.capacity() * 2 + 64, expected * type.byteSize());
    ByteBuffer next = ByteBuffer.allocate((int) grown).order(ByteOrder.LITTLE_ENDIAN);
    buf.flip();
    next.put(buf);
    buf = next;
  }

  private void flattenStrings(Object value) {
    if (value instanceof List<?> list) {
      for (Object o : list) {
        flattenStrings(o);
      }
      return;
    }
    countElement();
    if (!(value instanceof String s)) {
      throw new InvalidInputException(
          label
              + ": element "
              + (count - 1)
              + " is "
              + (value == null
                  ? "null"
                  : value instanceof Map
                      ? "an object"
                      : value instanceof Boolean ? "a boolean" : "a number")
              + ", expected a string for datatype BYTES");
    }
    strings.add(s.getBytes(StandardCharsets.UTF_8));
  }

  private long range(int start, int stop, long v, long min, long max) {
    if (v < min || v > max) {
      throw outOfRange(start, stop);
    }
    return v;
  }

  private InvalidInputException wrongType() {
    String got = c.describe();
    if (got.equals("invalid text") || got.equals("end of input")) {
      return c.malformed("expected a value in the data of " + label);
    }
    String want =
        type == DataType.BOOL ? "a boolean" : type.isFloatingPoint() ? "a number" : "an integer";
    return new InvalidInputException(
        label
            + ": element "
            + (count - 1)
            + " is "
            + got
            + ", expected "
            + want
            + " for datatype "
            + type);
  }

  private InvalidInputException outOfRange(int start, int stop) {
    return new InvalidInputException(
        label
            + ": element "
            + (count - 1)
            + " value "
            + new String(c.b, start, Math.min(stop - start, 64), StandardCharsets.ISO_8859_1)
            + " is out of range for "
            + type);
  }

  Tensor build(Map<String, Object> params) {
    if (count != expected) {
      throw new InvalidInputException(
          label
              + ": shape "
              + Shapes.format(shape)
              + " needs "
              + expected
              + " elements, data has "
              + count);
    }
    if (type == DataType.BYTES) {
      return Tensor.ofBytes(name, shape, strings, params);
    }
    buf.flip();
    return Tensor.of(name, type, shape, buf, params);
  }
}
