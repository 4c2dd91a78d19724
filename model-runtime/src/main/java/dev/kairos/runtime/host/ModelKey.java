package dev.kairos.runtime.host;

/** A model version as a runtime host names it. */
public record ModelKey(String model, String version) {
  @Override
  public String toString() {
    return model + "/" + version;
  }
}
