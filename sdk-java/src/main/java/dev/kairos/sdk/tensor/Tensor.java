package dev.kairos.sdk.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A named tensor: datatype, shape and row-major data.
 *
 * <p>Fixed-size elements live in one little-endian {@link ByteBuffer}, the layout of the binary
 * tensor extension and of the engines, so a tensor travels from the wire to an engine without being
 * re-encoded. {@link DataType#BYTES} elements are kept as a list of byte arrays.
 *
 * <p>Instances are immutable: accessors return fresh arrays or read-only views.
 */
public final class Tensor {
  private final String name;
  private final DataType datatype;
  private final long[] shape;
  private final ByteBuffer data;
  private final List<byte[]> elements;
  private final Map<String, Object> parameters;

  private Tensor(
      String name,
      DataType datatype,
      long[] shape,
      ByteBuffer data,
      List<byte[]> elements,
      Map<String, Object> parameters) {
    this.name = Objects.requireNonNull(name, "name");
    this.datatype = Objects.requireNonNull(datatype, "datatype");
    this.shape = shape.clone();
    this.data = data;
    this.elements = elements;
    this.parameters = parameters == null ? Map.of() : Collections.unmodifiableMap(parameters);
    long expected = Shapes.elementCount(shape);
    long actual = data != null ? data.remaining() / datatype.byteSize() : elements.size();
    if (data != null && data.remaining() % datatype.byteSize() != 0) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "': "
              + data.remaining()
              + " bytes is not a whole number of "
              + datatype);
    }
    if (expected != actual) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "': shape "
              + Shapes.format(shape)
              + " needs "
              + expected
              + " elements, data has "
              + actual);
    }
  }

  /**
   * Wraps little-endian row-major data of a fixed-size datatype. The buffer's remaining bytes are
   * the data; the tensor keeps a read-only view and does not copy.
   */
  public static Tensor of(String name, DataType datatype, long[] shape, ByteBuffer data) {
    return of(name, datatype, shape, data, null);
  }

  public static Tensor of(
      String name, DataType datatype, long[] shape, ByteBuffer data, Map<String, Object> params) {
    if (!datatype.isFixedSize()) {
      throw new IllegalArgumentException("tensor '" + name + "': use ofBytes for BYTES data");
    }
    ByteBuffer view = data.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer();
    return new Tensor(name, datatype, shape, view.order(ByteOrder.LITTLE_ENDIAN), null, params);
  }

  /** A BYTES tensor; the list is copied, the arrays are not. */
  public static Tensor ofBytes(String name, long[] shape, List<byte[]> elements) {
    return ofBytes(name, shape, elements, null);
  }

  public static Tensor ofBytes(
      String name, long[] shape, List<byte[]> elements, Map<String, Object> params) {
    return new Tensor(name, DataType.BYTES, shape, null, List.copyOf(elements), params);
  }

  public static Tensor ofStrings(String name, long[] shape, List<String> values) {
    List<byte[]> bytes = new ArrayList<>(values.size());
    for (String s : values) {
      bytes.add(s.getBytes(StandardCharsets.UTF_8));
    }
    return ofBytes(name, shape, bytes);
  }

  public static Tensor ofFloats(String name, long[] shape, float... values) {
    ByteBuffer b = allocate(values.length * 4L);
    b.asFloatBuffer().put(values);
    return of(name, DataType.FP32, shape, b);
  }

  public static Tensor ofDoubles(String name, long[] shape, double... values) {
    ByteBuffer b = allocate(values.length * 8L);
    b.asDoubleBuffer().put(values);
    return of(name, DataType.FP64, shape, b);
  }

  public static Tensor ofInts(String name, long[] shape, int... values) {
    ByteBuffer b = allocate(values.length * 4L);
    b.asIntBuffer().put(values);
    return of(name, DataType.INT32, shape, b);
  }

  public static Tensor ofLongs(String name, long[] shape, long... values) {
    ByteBuffer b = allocate(values.length * 8L);
    b.asLongBuffer().put(values);
    return of(name, DataType.INT64, shape, b);
  }

  public static Tensor ofBooleans(String name, long[] shape, boolean... values) {
    ByteBuffer b = allocate(values.length);
    for (boolean v : values) {
      b.put((byte) (v ? 1 : 0));
    }
    b.flip();
    return of(name, DataType.BOOL, shape, b);
  }

  /** A little-endian heap buffer of the given size. */
  public static ByteBuffer allocate(long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor of " + bytes + " bytes is too large");
    }
    return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The same data under another name. */
  public Tensor withName(String newName) {
    return new Tensor(newName, datatype, shape, data, elements, parameters);
  }

  public String name() {
    return name;
  }

  public DataType datatype() {
    return datatype;
  }

  public long[] shape() {
    return shape.clone();
  }

  /** Dimension {@code i} of the shape, without copying it. */
  public long dim(int i) {
    return shape[i];
  }

  public int rank() {
    return shape.length;
  }

  public long elementCount() {
    return data != null ? data.remaining() / datatype.byteSize() : elements.size();
  }

  public Map<String, Object> parameters() {
    return parameters;
  }

  /** Size of the data in the binary tensor extension's layout. */
  public long byteSize() {
    if (data != null) {
      return data.remaining();
    }
    long n = 0;
    for (byte[] e : elements) {
      n += 4 + e.length;
    }
    return n;
  }

  /**
   * A read-only little-endian view of the data, positioned at 0.
   *
   * @throws IllegalStateException for BYTES tensors
   */
  public ByteBuffer buffer() {
    requireFixed();
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** BYTES elements; for other datatypes an {@link IllegalStateException}. */
  public List<byte[]> bytesElements() {
    if (elements == null) {
      throw new IllegalStateException("tensor '" + name + "' is " + datatype + ", not BYTES");
    }
    return elements;
  }

  public List<String> asStrings() {
    List<String> out = new ArrayList<>(bytesElements().size());
    for (byte[] e : elements) {
      out.add(new String(e, StandardCharsets.UTF_8));
    }
    return out;
  }

  /** Element {@code i} as a double, whatever the numeric datatype. */
  public double getDouble(int i) {
    requireFixed();
    ByteBuffer b = data;
    int off = i * datatype.byteSize();
    switch (datatype) {
      case BOOL:
      case INT8:
        return b.get(off);
      case UINT8:
        return b.get(off) & 0xff;
      case INT16:
        return b.getShort(off);
      case UINT16:
        return b.getShort(off) & 0xffff;
      case INT32:
        return b.getInt(off);
      case UINT32:
        return b.getInt(off) & 0xffffffffL;
      case INT64:
        return b.getLong(off);
      case UINT64:
        long v = b.getLong(off);
        return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
      case FP16:
        return Fp16.toFloat(b.getShort(off));
      case FP32:
        return b.getFloat(off);
      case FP64:
        return b.getDouble(off);
      default:
        throw new IllegalStateException("unreachable: " + datatype);
    }
  }

  /** Element {@code i} as a long, for integer and boolean datatypes. */
  public long getLong(int i) {
    requireFixed();
    int off = i * datatype.byteSize();
    switch (datatype) {
      case BOOL:
      case INT8:
        return data.get(off);
      case UINT8:
        return data.get(off) & 0xff;
      case INT16:
        return data.getShort(off);
      case UINT16:
        return data.getShort(off) & 0xffff;
      case INT32:
        return data.getInt(off);
      case UINT32:
        return data.getInt(off) & 0xffffffffL;
      case INT64:
      case UINT64:
        return data.getLong(off);
      default:
        return (long) getDouble(i);
    }
  }

  /** The data as floats, converting from any numeric datatype. */
  public float[] asFloatArray() {
    int n = (int) elementCount();
    float[] out = new float[n];
    if (datatype == DataType.FP32) {
      buffer().asFloatBuffer().get(out);
    } else {
      for (int i = 0; i < n; i++) {
        out[i] = (float) getDouble(i);
      }
    }
    return out;
  }

  public double[] asDoubleArray() {
    int n = (int) elementCount();
    double[] out = new double[n];
    if (datatype == DataType.FP64) {
      buffer().asDoubleBuffer().get(out);
    } else {
      for (int i = 0; i < n; i++) {
        out[i] = getDouble(i);
      }
    }
    return out;
  }

  public long[] asLongArray() {
    int n = (int) elementCount();
    long[] out = new long[n];
    if (datatype == DataType.INT64) {
      buffer().asLongBuffer().get(out);
    } else {
      for (int i = 0; i < n; i++) {
        out[i] = getLong(i);
      }
    }
    return out;
  }

  public int[] asIntArray() {
    int n = (int) elementCount();
    int[] out = new int[n];
    if (datatype == DataType.INT32) {
      buffer().asIntBuffer().get(out);
    } else {
      for (int i = 0; i < n; i++) {
        out[i] = (int) getLong(i);
      }
    }
    return out;
  }

  public boolean[] asBooleanArray() {
    int n = (int) elementCount();
    boolean[] out = new boolean[n];
    for (int i = 0; i < n; i++) {
      out[i] = getDouble(i) != 0;
    }
    return out;
  }

  private void requireFixed() {
    if (data == null) {
      throw new IllegalStateException("tensor '" + name + "' holds BYTES, not numbers");
    }
  }

  @Override
  public String toString() {
    return "Tensor[" + name + ", " + datatype + ", " + Shapes.format(shape) + "]";
  }
}
