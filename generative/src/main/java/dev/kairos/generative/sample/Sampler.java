package dev.kairos.generative.sample;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks a token from one row of logits. Greedy takes the first maximum; sampling applies
 * temperature, then top-k, then top-p, then draws from the sequence's own seeded random source, so
 * a seed gives the same tokens whatever else shares the batch.
 */
public final class Sampler {
  private Sampler() {}

  public static int pick(float[] logits, SamplingParams p, SplittableRandom random) {
    if (p.isGreedy()) {
      return argmax(logits);
    }
    int n = logits.length;
    Integer[] order = null;
    int keep = n;
    if (p.topK() > 0 && p.topK() < n) {
      keep = p.topK();
    }
    if (keep < n || p.topP() < 1) {
      order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
    }
    double max = logits[argmax(logits)];
    double[] weight = new double[keep];
    double total = 0;
    for (int i = 0; i < keep; i++) {
      int token = order == null ? i : order[i];
      weight[i] = Math.exp((logits[token] - max) / p.temperature());
      total += weight[i];
    }
    if (p.topP() < 1) {
      double cumulative = 0;
      int cut = keep;
      for (int i = 0; i < keep; i++) {
        cumulative += weight[i] / total;
        if (cumulative >= p.topP()) {
          cut = i + 1;
          break;
        }
      }
      keep = cut;
      total = 0;
      for (int i = 0; i < keep; i++) {
        total += weight[i];
      }
    }
    double draw = random.nextDouble() * total;
    for (int i = 0; i < keep; i++) {
      draw -= weight[i];
      if (draw < 0) {
        return order == null ? i : order[i];
      }
    }
    return order == null ? keep - 1 : order[keep - 1];
  }

  public static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }
}
