package dev.kairos.generative.sample;

/**
 * How the next token is picked.
 *
 * @param temperature 0 picks the most likely token (greedy); above 0 samples from the softened
 *     distribution
 * @param topK keep only the k most likely tokens; 0 keeps all
 * @param topP keep the smallest set of most likely tokens whose probability reaches p; 1 keeps all
 * @param seed makes sampling repeatable; null draws a fresh seed
 */
public record SamplingParams(double temperature, int topK, double topP, Long seed) {
  public static final SamplingParams GREEDY = new SamplingParams(0, 0, 1, null);

  public SamplingParams {
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature = " + temperature + ", must be >= 0");
    }
    if (topK < 0) {
      throw new IllegalArgumentException("top_k = " + topK + ", must be >= 0");
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("top_p = " + topP + ", must be in (0, 1]");
    }
  }

  public boolean isGreedy() {
    return temperature == 0;
  }
}
