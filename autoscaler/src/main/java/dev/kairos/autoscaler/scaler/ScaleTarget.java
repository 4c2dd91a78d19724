package dev.kairos.autoscaler.scaler;

/** The thing a scaler sizes: the replicas of one model version. */
public record ScaleTarget(String model, String version) {
  @Override
  public String toString() {
    return model + " v" + version;
  }
}
