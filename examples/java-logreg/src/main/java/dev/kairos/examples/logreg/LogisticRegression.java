package dev.kairos.examples.logreg;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.predictor.ModelContext;
import dev.kairos.sdk.predictor.Predictor;
import dev.kairos.sdk.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A multinomial logistic regression read from {@code weights.json}: class probabilities and the
 * most likely label for each row of {@code features}.
 */
public final class LogisticRegression implements Predictor {
  /** The file's shape: one weight row and one bias per class. */
  record Weights(List<String> features, List<String> classes, double[][] weights, double[] bias) {}

  private Weights w;

  @Override
  public void load(ModelContext context) throws Exception {
    w = new ObjectMapper().readValue(context.resolve("weights.json").toFile(), Weights.class);
  }

  @Override
  public InferenceResponse predict(InferenceRequest request) {
    Tensor x = request.requireInput("features");
    int rows = (int) x.dim(0), cols = (int) x.dim(1), k = w.classes().size();
    float[] f = x.asFloatArray(), p = new float[rows * k];
    List<String> labels = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      double[] z = new double[k];
      for (int c = 0; c < k; c++) {
        z[c] = w.bias()[c];
        for (int j = 0; j < cols; j++) z[c] += w.weights()[c][j] * f[r * cols + j];
      }
      int best = Softmax.into(z, p, r * k);
      labels.add(w.classes().get(best));
    }
    return InferenceResponse.of(
        Tensor.ofFloats("probabilities", new long[] {rows, k}, p),
        Tensor.ofStrings("label", new long[] {rows}, labels));
  }
}
