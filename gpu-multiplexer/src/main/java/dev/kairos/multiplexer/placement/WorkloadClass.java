package dev.kairos.multiplexer.placement;

/** Light models are small and latency-sensitive; heavy ones are compute-bound and batch. */
public enum WorkloadClass {
  LIGHT,
  HEAVY;

  /** From model.yaml's {@code device.class}. */
  public static WorkloadClass of(String name) {
    return "heavy".equals(name) ? HEAVY : LIGHT;
  }
}
