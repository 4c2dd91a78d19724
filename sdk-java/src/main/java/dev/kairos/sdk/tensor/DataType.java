package dev.kairos.sdk.tensor;

import java.util.Locale;

/** The tensor element types of the Open Inference Protocol v2. */
public enum DataType {
  BOOL(1),
  UINT8(1),
  UINT16(2),
  UINT32(4),
  UINT64(8),
  INT8(1),
  INT16(2),
  INT32(4),
  INT64(8),
  FP16(2),
  FP32(4),
  FP64(8),
  /** Variable-length byte strings; the binary form prefixes each element with a 4-byte length. */
  BYTES(-1);

  private final int byteSize;

  DataType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Size of one element in bytes, or -1 for {@link #BYTES}. */
  public int byteSize() {
    return byteSize;
  }

  public boolean isFixedSize() {
    return byteSize > 0;
  }

  public boolean isFloatingPoint() {
    return this == FP16 || this == FP32 || this == FP64;
  }

  public boolean isUnsigned() {
    return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
  }

  /**
   * Parses the protocol's name of a datatype.
   *
   * @throws IllegalArgumentException naming the value and the accepted names
   */
  public static DataType parse(String name) {
    if (name != null) {
      try {
        return valueOf(name.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException ignored) {
        // fall through to the descriptive message
      }
    }
    throw new IllegalArgumentException(
        "unknown datatype '" + name + "', expected one of " + java.util.Arrays.toString(values()));
  }
}
