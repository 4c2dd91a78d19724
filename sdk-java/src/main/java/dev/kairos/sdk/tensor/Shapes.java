package dev.kairos.sdk.tensor;

import java.util.Arrays;

/** Arithmetic and formatting of tensor shapes; -1 marks a dynamic dimension in signatures. */
public final class Shapes {
  private Shapes() {}

  /** Number of elements of a concrete shape; a scalar (rank 0) has one. */
  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("shape " + format(shape) + " has a negative dimension");
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Whether a concrete shape fits a signature shape, where -1 matches any size. */
  public static boolean matches(long[] signature, long[] concrete) {
    if (signature.length != concrete.length) {
      return false;
    }
    for (int i = 0; i < signature.length; i++) {
      if (signature[i] >= 0 && signature[i] != concrete[i]) {
        return false;
      }
    }
    return true;
  }

  public static String format(long[] shape) {
    return Arrays.toString(shape).replace(" ", "");
  }
}
