package dev.kairos.examples.topk;

import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/** Post-processing: logits to the k most likely labels and their softmax probabilities. */
final class TopK {
  private TopK() {}

  static InferenceResponse of(float[][] logits, List<String> labels, int k) {
    int rows = logits.length;
    float[] probs = new float[rows * k];
    List<String> names = new ArrayList<>(rows * k);
    for (int r = 0; r < rows; r++) {
      float[] z = logits[r];
      double max = IntStream.range(0, z.length).mapToDouble(i -> z[i]).max().orElse(0);
      double sum = IntStream.range(0, z.length).mapToDouble(i -> Math.exp(z[i] - max)).sum();
      int[] order =
          IntStream.range(0, z.length)
              .boxed()
              .sorted(Comparator.comparingDouble((Integer i) -> -z[i]).thenComparing(i -> i))
              .mapToInt(Integer::intValue)
              .toArray();
      for (int j = 0; j < k; j++) {
        probs[r * k + j] = (float) (Math.exp(z[order[j]] - max) / sum);
        names.add(labels.get(order[j]));
      }
    }
    return InferenceResponse.of(
        Tensor.ofStrings("labels", new long[] {rows, k}, names),
        Tensor.ofFloats("probabilities", new long[] {rows, k}, probs));
  }
}
