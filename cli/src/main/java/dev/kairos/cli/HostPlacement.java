package dev.kairos.cli;

import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.sdk.model.Isolation;
import dev.kairos.sdk.model.ModelConfig;

/**
 * Where a replica of a model version goes: loaded into a shared runtime host, or a runtime process
 * of its own. The one place this choice is made; the host enforces its own rules again (isolation,
 * trusted predictors) and a refusal there sends the replica to a process.
 *
 * <p>A model shares a host when it is a light engine model: ONNX Runtime or PyTorch, on the CPU,
 * not declared {@code class: heavy}, not time-sliced on a shared device (models in a host run
 * unarbitrated), not generative, and not {@code isolation: process}. A Java predictor shares only
 * when its {@code model.yaml} asks for {@code isolation: shared} (and the host trusts its jar).
 */
final class HostPlacement {
  /** The two places a replica can run. */
  enum Where {
    HOST,
    PROCESS
  }

  private final boolean hostsRunning;

  /**
   * @param hostsRunning whether this platform runs shared hosts at all ({@code --shared-hosts 0}:
   *     every replica is a process)
   */
  HostPlacement(boolean hostsRunning) {
    this.hostsRunning = hostsRunning;
  }

  Where place(ModelDirectory dir) {
    return place(dir.config());
  }

  Where place(ModelConfig config) {
    return hostsRunning && shareable(config) ? Where.HOST : Where.PROCESS;
  }

  /** Why a model keeps a process of its own, or null when it may share a host. */
  static String whyProcess(ModelConfig c) {
    if (c.isolation() == Isolation.PROCESS) {
      return "its model.yaml asks for isolation: process";
    }
    if (Isolation.JAVA_ENGINE.equals(c.engine())) {
      return c.isolation() == Isolation.SHARED
          ? null
          : "a Java predictor shares a host only when it asks for isolation: shared";
    }
    if (!Isolation.SHAREABLE_ENGINES.contains(c.engine())) {
      return "engine '" + c.engine() + "' keeps a process of its own";
    }
    if (c.device().isGpu()) {
      return "it runs on a GPU";
    }
    if ("heavy".equals(c.device().workloadClass())) {
      return "it is a heavy model";
    }
    if (c.device().isShared()) {
      return "it is time-sliced on shared device " + c.device().shared();
    }
    if (c.isGenerative()) {
      return "it is a generative model";
    }
    return null;
  }

  /**
   * Whether a host's refusal sends the replica to a process of its own: the model is larger than a
   * host's whole budget (507), the host will not share it (409), or every host holds it already (a
   * hot model beyond the hosts). A model that fails to load (400) would fail in a process too.
   */
  static boolean needsOwnProcess(Throwable refusal) {
    if (refusal instanceof SharedHosts.NoHostLeft) {
      return true;
    }
    return refusal instanceof RuntimeHost.Refused r && (r.status == 507 || r.status == 409);
  }

  static boolean shareable(ModelConfig c) {
    return whyProcess(c) == null;
  }
}
