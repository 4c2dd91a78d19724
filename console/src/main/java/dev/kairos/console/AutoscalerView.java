package dev.kairos.console;

import dev.kairos.autoscaler.Autoscaler;
import dev.kairos.autoscaler.ConcurrencySource;
import dev.kairos.autoscaler.scaler.ReplicaCount;
import dev.kairos.autoscaler.scaler.ScaleTarget;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** The {@link ScalingView} of an {@link Autoscaler}: its targets summed per model. */
public final class AutoscalerView implements ScalingView {
  private final Autoscaler autoscaler;
  private final ConcurrencySource concurrency;
  private final Function<ScaleTarget, ReplicaCount> replicas;

  /**
   * @param concurrency what the autoscaler samples for a target
   * @param replicas the scaler's count of a target's replicas
   */
  public AutoscalerView(
      Autoscaler autoscaler,
      ConcurrencySource concurrency,
      Function<ScaleTarget, ReplicaCount> replicas) {
    this.autoscaler = autoscaler;
    this.concurrency = concurrency;
    this.replicas = replicas;
  }

  @Override
  public Map<String, ModelScaling> scaling() {
    Map<String, ModelScaling> out = new TreeMap<>();
    for (ScaleTarget t : autoscaler.targets()) {
      double target = autoscaler.spec(t).map(s -> s.effectiveTarget()).orElse(Double.NaN);
      ReplicaCount c = replicas.apply(t);
      ModelScaling now =
          new ModelScaling(concurrency.concurrency(t), c.desired(), c.ready(), target);
      out.merge(
          t.model(),
          now,
          (a, b) ->
              new ModelScaling(
                  a.concurrency() + b.concurrency(),
                  a.desired() + b.desired(),
                  a.ready() + b.ready(),
                  a.target()));
    }
    return out;
  }
}
