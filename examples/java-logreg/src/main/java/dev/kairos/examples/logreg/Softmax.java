package dev.kairos.examples.logreg;

/** Numerically stable softmax. */
final class Softmax {
  private Softmax() {}

  /**
   * Writes softmax(z) into {@code out} from {@code offset}.
   *
   * @return the index of the largest probability
   */
  static int into(double[] z, float[] out, int offset) {
    int best = 0;
    for (int i = 1; i < z.length; i++) {
      if (z[i] > z[best]) {
        best = i;
      }
    }
    double sum = 0;
    double[] e = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      e[i] = Math.exp(z[i] - z[best]);
      sum += e[i];
    }
    for (int i = 0; i < z.length; i++) {
      out[offset + i] = (float) (e[i] / sum);
    }
    return best;
  }
}
