package dev.kairos.runtime.host;

import dev.kairos.runtime.core.IsolationRefusedException;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelVersion;
import dev.kairos.sdk.model.Isolation;

/** Whether a model version may be loaded into a shared host, and why not. */
final class HostSharing {
  private HostSharing() {}

  /**
   * @throws IsolationRefusedException saying which rule keeps it out
   */
  static void check(ModelDirectory d, ModelVersion v, TrustedPredictors trusted) {
    String engine = d.config().engine();
    Isolation isolation = d.config().isolation();
    // Hash a jar only when it asks to share: the digest is what trust is about.
    boolean trustedJar =
        Isolation.JAVA_ENGINE.equals(engine)
            && isolation == Isolation.SHARED
            && trusted.trusts(v.artifact());
    if (isolation.mayShare(engine, trustedJar)) {
      return;
    }
    String why;
    if (isolation == Isolation.PROCESS) {
      why = "its model.yaml asks for isolation: process";
    } else if (Isolation.JAVA_ENGINE.equals(engine)) {
      why =
          isolation == Isolation.SHARED
              ? "its jar's SHA-256 is not in this host's trusted predictors"
              : "a Java predictor shares a host only when its model.yaml asks for isolation: shared"
                  + " and its jar is trusted";
    } else {
      why = "engine '" + engine + "' keeps a process of its own";
    }
    throw new IsolationRefusedException(
        "model '" + d.name() + "' version " + v.version() + " cannot share this host: " + why);
  }
}
