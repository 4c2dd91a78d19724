package dev.kairos.sdk.model;

import java.nio.file.Path;

/**
 * A model directory or its {@code model.yaml} is not acceptable. The message names the file, the
 * field and what was expected, e.g. {@code models/mlp/model.yaml: batching.maxBatchSize = 0, must
 * be >= 1}.
 */
public class ModelConfigException extends RuntimeException {
  private final Path file;
  private final String field;

  public ModelConfigException(Path file, String field, String problem) {
    super(format(file, field, problem), null, false, false);
    this.file = file;
    this.field = field;
  }

  private static String format(Path file, String field, String problem) {
    StringBuilder b = new StringBuilder();
    if (file != null) {
      b.append(file).append(": ");
    }
    if (field != null && !field.isEmpty()) {
      b.append(field).append(' ');
    }
    return b.append(problem).toString();
  }

  /** The file at fault, or null when the problem is the directory itself. */
  public Path file() {
    return file;
  }

  /** The dotted path of the field at fault, or null. */
  public String field() {
    return field;
  }
}
