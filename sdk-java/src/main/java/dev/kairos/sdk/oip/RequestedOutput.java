package dev.kairos.sdk.oip;

import java.util.Map;
import java.util.Objects;

/** An output the client asked for, with its per-output parameters (e.g. {@code binary_data}). */
public record RequestedOutput(String name, Map<String, Object> parameters) {
  public RequestedOutput {
    Objects.requireNonNull(name, "name");
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
  }

  public static RequestedOutput named(String name) {
    return new RequestedOutput(name, Map.of());
  }
}
