package dev.kairos.sdk.model;

import java.util.Locale;
import java.util.Set;

/**
 * Whether a model version may share a runtime host (one process serving several models) with other
 * models: {@code model.yaml}'s {@code isolation:} field.
 *
 * <p>Sharing a process saves a JVM per model but lets one model's crash, memory or threads reach
 * its neighbours. Engine models (ONNX Runtime, PyTorch) run code the platform ships, so they may
 * share; a TensorRT plan holds a whole device context and keeps a process of its own. A Java
 * predictor runs its author's code, so it shares only when its {@code model.yaml} asks for it
 * <em>and</em> the host trusts its jar (the operator lists the jar's SHA-256 digest in the host's
 * trusted-predictors file): the model's author alone cannot make it shared.
 */
public enum Isolation {
  /** Not stated in {@code model.yaml}: placement decides (the default). */
  PLACEMENT,
  /** {@code isolation: process}: a runtime process of its own, whatever placement would do. */
  PROCESS,
  /** {@code isolation: shared}: may be loaded into a host beside other models. */
  SHARED;

  /** Engines whose models may be loaded into a shared host without further checks. */
  public static final Set<String> SHAREABLE_ENGINES = Set.of("onnxruntime", "pytorch");

  /** The engine whose models may share only when trusted, and only when they ask to. */
  public static final String JAVA_ENGINE = "java";

  /** The spelling in {@code model.yaml}. */
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Why a model of {@code engine} cannot have this isolation, or null when it can. Only {@code
   * shared} is restricted: to {@link #SHAREABLE_ENGINES} and Java predictors.
   */
  public String problemWith(String engine) {
    if (this != SHARED || engine == null) {
      return null;
    }
    if (SHAREABLE_ENGINES.contains(engine) || JAVA_ENGINE.equals(engine)) {
      return null;
    }
    return "= 'shared', but engine '"
        + engine
        + "' keeps a process of its own; only onnxruntime, pytorch and trusted java models may"
        + " share a host";
  }

  /**
   * Whether a model of {@code engine} with this isolation may be loaded into a shared host, given
   * whether its bundle is trusted (only consulted for Java predictors).
   */
  public boolean mayShare(String engine, boolean trustedBundle) {
    if (this == PROCESS) {
      return false;
    }
    if (SHAREABLE_ENGINES.contains(engine)) {
      return true;
    }
    return JAVA_ENGINE.equals(engine) && this == SHARED && trustedBundle;
  }
}
