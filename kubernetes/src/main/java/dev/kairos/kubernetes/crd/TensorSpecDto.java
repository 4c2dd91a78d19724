package dev.kairos.kubernetes.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/** One declared input or output, as in {@code model.yaml}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TensorSpecDto {
  private String name;
  private String datatype;
  private List<Long> shape = new ArrayList<>();

  public TensorSpecDto() {}

  public TensorSpecDto(String name, String datatype, List<Long> shape) {
    this.name = name;
    this.datatype = datatype;
    this.shape = shape;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getDatatype() {
    return datatype;
  }

  public void setDatatype(String datatype) {
    this.datatype = datatype;
  }

  public List<Long> getShape() {
    return shape;
  }

  public void setShape(List<Long> shape) {
    this.shape = shape;
  }
}
