package dev.kairos.sdk.model;

import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Shapes;
import java.util.Objects;

/**
 * The declared name, datatype and shape of a model input or output; -1 marks a dynamic dimension.
 */
public record TensorSpec(String name, DataType datatype, long[] shape) {
  public TensorSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(datatype, "datatype");
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t
        && t.name.equals(name)
        && t.datatype == datatype
        && java.util.Arrays.equals(t.shape, shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, datatype, java.util.Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return name + ":" + datatype + Shapes.format(shape);
  }
}
