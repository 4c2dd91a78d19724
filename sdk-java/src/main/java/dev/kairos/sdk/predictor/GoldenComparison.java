package dev.kairos.sdk.predictor;

import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Shapes;
import dev.kairos.sdk.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/** Compares a tensor with its golden value, naming the first difference. */
final class GoldenComparison {
  private GoldenComparison() {}

  static void compare(String model, Tensor want, Tensor got, double tolerance) {
    String where = "model '" + model + "': output '" + want.name() + "'";
    if (want.datatype() != got.datatype()) {
      throw new AssertionError(where + " is " + got.datatype() + ", golden is " + want.datatype());
    }
    if (!Arrays.equals(want.shape(), got.shape())) {
      throw new AssertionError(
          where
              + " has shape "
              + Shapes.format(got.shape())
              + ", golden has "
              + Shapes.format(want.shape()));
    }
    if (want.datatype() == DataType.BYTES) {
      List<String> w = want.asStrings();
      List<String> g = got.asStrings();
      for (int i = 0; i < w.size(); i++) {
        if (!w.get(i).equals(g.get(i))) {
          throw new AssertionError(
              where + "[" + i + "] is '" + g.get(i) + "', golden is '" + w.get(i) + "'");
        }
      }
      return;
    }
    for (int i = 0; i < want.elementCount(); i++) {
      double w = want.getDouble(i);
      double g = got.getDouble(i);
      if (!(Math.abs(w - g) <= tolerance)) {
        throw new AssertionError(
            where + "[" + i + "] is " + g + ", golden is " + w + " (tolerance " + tolerance + ")");
      }
    }
  }
}
