package dev.kairos.sdk.oip;

import java.nio.charset.StandardCharsets;

/**
 * Strict JSON number reading over bytes, for tensor data. Floating-point values are read in one
 * pass into a decimal mantissa and exponent and converted exactly when the mantissa has at most 15
 * digits and the power of ten is at most 22 (Clinger's fast path), else by {@link
 * Double#parseDouble} on the same text. Integers are checked against the grammar, then accumulated
 * with overflow checks.
 */
final class JsonNumbers {
  private static final double[] POW10 = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22
  };

  /** Where a scanned number ends and what kind it is; reused to avoid allocation. */
  static final class Scanned {
    int end;
    boolean negative;
    boolean integral;
  }

  private JsonNumbers() {}

  /**
   * Checks the JSON number grammar at {@code i}: {@code
   * -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?}.
   *
   * @return false if the text there is not a JSON number
   */
  static boolean scan(byte[] b, int i, int end, Scanned out) {
    boolean neg = i < end && b[i] == '-';
    if (neg) {
      i++;
    }
    if (i >= end || b[i] < '0' || b[i] > '9') {
      return false;
    }
    if (b[i] == '0') {
      i++;
    } else {
      i = digits(b, i, end);
    }
    boolean integral = true;
    if (i < end && b[i] == '.') {
      integral = false;
      int next = digits(b, i + 1, end);
      if (next == i + 1) {
        return false;
      }
      i = next;
    }
    if (i < end && (b[i] == 'e' || b[i] == 'E')) {
      integral = false;
      i++;
      if (i < end && (b[i] == '+' || b[i] == '-')) {
        i++;
      }
      int next = digits(b, i, end);
      if (next == i) {
        return false;
      }
      i = next;
    }
    out.end = i;
    out.negative = neg;
    out.integral = integral;
    return true;
  }

  private static int digits(byte[] b, int i, int end) {
    while (i < end && b[i] >= '0' && b[i] <= '9') {
      i++;
    }
    return i;
  }

  /**
   * Reads the number at {@code i} as the nearest double in one pass, for floating-point tensor
   * data. JSON has no NaN, so NaN means "no number here".
   *
   * @param endOut receives the index after the number
   */
  static double readDouble(byte[] b, int i, int end, int[] endOut) {
    int start = i;
    boolean neg = false;
    if (i < end && b[i] == '-') {
      neg = true;
      i++;
    }
    long m = 0;
    int digits = 0;
    int exp = 0;
    byte c;
    if (i < end && b[i] == '0') {
      i++;
    } else if (i < end && b[i] >= '1' && b[i] <= '9') {
      while (i < end && (c = b[i]) >= '0' && c <= '9') {
        m = m * 10 + (c - '0');
        digits++;
        i++;
      }
    } else {
      return Double.NaN;
    }
    if (i < end && b[i] == '.') {
      i++;
      int fracStart = i;
      while (i < end && (c = b[i]) >= '0' && c <= '9') {
        if (m == 0 && c == '0') {
          exp--;
        } else {
          m = m * 10 + (c - '0');
          exp--;
          digits++;
        }
        i++;
      }
      if (i == fracStart) {
        return Double.NaN;
      }
    }
    if (i < end && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      boolean eneg = false;
      if (i < end && (b[i] == '+' || b[i] == '-')) {
        eneg = b[i] == '-';
        i++;
      }
      int expStart = i;
      int e = 0;
      while (i < end && (c = b[i]) >= '0' && c <= '9') {
        if (e < 100_000) {
          e = e * 10 + (c - '0');
        }
        i++;
      }
      if (i == expStart) {
        return Double.NaN;
      }
      exp += eneg ? -e : e;
    }
    endOut[0] = i;
    if (digits <= 15 && exp >= -22 && exp <= 22) {
      // Exact: m and 10^|exp| are doubles, and one IEEE operation rounds correctly.
      double d = exp < 0 ? m / POW10[-exp] : m * POW10[exp];
      return neg ? -d : d;
    }
    if (digits == 0) {
      return neg ? -0.0 : 0.0;
    }
    // Long mantissa (m may have overflowed) or large exponent: let the JDK do it exactly.
    return Double.parseDouble(new String(b, start, i - start, StandardCharsets.ISO_8859_1));
  }

  /**
   * The scanned integer as a long, for a number without fraction or exponent.
   *
   * @return false if it does not fit in a signed long (or, with {@code unsigned}, in 64 bits)
   */
  static boolean toLong(byte[] b, int start, Scanned s, boolean unsigned, long[] out) {
    int i = s.negative ? start + 1 : start;
    long v = 0;
    for (; i < s.end; i++) {
      int d = b[i] - '0';
      if (unsigned) {
        if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0) {
          return false;
        }
        long next = v * 10 + d;
        if (Long.compareUnsigned(next, v * 10) < 0) {
          return false;
        }
        v = next;
      } else {
        if (v < (Long.MIN_VALUE + d) / 10) {
          return false;
        }
        v = v * 10 - d; // accumulate negatively: Long.MIN_VALUE has no positive twin
      }
    }
    if (unsigned) {
      out[0] = v;
      return !s.negative || v == 0;
    }
    if (!s.negative) {
      if (v == Long.MIN_VALUE) {
        return false;
      }
      v = -v;
    }
    out[0] = v;
    return true;
  }
}
