package ${package};

import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.predictor.ModelContext;
import dev.kairos.sdk.predictor.Predictor;
import dev.kairos.sdk.tensor.Tensor;
import java.nio.file.Files;

/**
 * Scores each row of {@code features} with a linear model read from {@code weights.txt}: one weight
 * per feature, then the bias. Replace the body with your model; keep model.yaml's signature in step.
 */
public final class ${className} implements Predictor {
  private float[] weights;
  private float bias;

  @Override
  public void load(ModelContext context) throws Exception {
    String[] w = Files.readString(context.resolve("weights.txt")).trim().split("\\s+");
    weights = new float[w.length - 1];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = Float.parseFloat(w[i]);
    }
    bias = Float.parseFloat(w[w.length - 1]);
  }

  @Override
  public InferenceResponse predict(InferenceRequest request) {
    Tensor x = request.requireInput("features");
    int rows = (int) x.dim(0);
    float[] f = x.asFloatArray();
    float[] score = new float[rows];
    for (int r = 0; r < rows; r++) {
      score[r] = bias;
      for (int c = 0; c < weights.length; c++) {
        score[r] += weights[c] * f[r * weights.length + c];
      }
    }
    return InferenceResponse.of(Tensor.ofFloats("score", new long[] {rows}, score));
  }
}
