package dev.kairos.sdk.predictor;

import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.tensor.Tensor;
import java.nio.file.Files;

/** y = factor * x, with the factor read from {@code factor.txt} of the version folder. */
public final class Doubler implements Predictor {
  private float factor;
  boolean closed;

  @Override
  public void load(ModelContext context) throws Exception {
    factor = Float.parseFloat(Files.readString(context.resolve("factor.txt")).trim());
  }

  @Override
  public InferenceResponse predict(InferenceRequest request) {
    Tensor x = request.requireInput("x");
    float[] v = x.asFloatArray();
    for (int i = 0; i < v.length; i++) {
      v[i] *= factor;
    }
    if (request.parameters().containsKey("wrong_output")) {
      return InferenceResponse.of(Tensor.ofInts("y", x.shape(), new int[v.length]));
    }
    return InferenceResponse.of(Tensor.ofFloats("y", x.shape(), v));
  }

  @Override
  public void close() {
    closed = true;
  }
}
