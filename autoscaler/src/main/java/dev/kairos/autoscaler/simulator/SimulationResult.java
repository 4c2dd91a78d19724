package dev.kairos.autoscaler.simulator;

import dev.kairos.sdk.model.ScalingConfig;
import java.util.Comparator;
import java.util.List;

/**
 * A replay of a whole trace under one knob setting.
 *
 * @param label the setting's name in reports
 * @param spec the knobs
 * @param models per-model results, busiest first
 * @param wallSeconds how long the replay took on this machine
 */
public record SimulationResult(
    String label, ScalingConfig spec, List<ModelResult> models, double wallSeconds) {
  public SimulationResult {
    models =
        models.stream().sorted(Comparator.comparingLong(ModelResult::requests).reversed()).toList();
  }

  /** Every model together. */
  public ModelResult overall() {
    LatencyHistogram all = new LatencyHistogram();
    long requests = 0;
    long ok = 0;
    double rs = 0;
    long cold = 0;
    long coldReq = 0;
    int buckets = models.isEmpty() ? 1 : models.get(0).requestsPerBucket().length;
    long[] req = new long[buckets];
    double[] rep = new double[buckets];
    for (ModelResult m : models) {
      all.add(m.latencies());
      requests += m.requests();
      ok += m.withinSlo();
      rs += m.replicaSeconds();
      cold += m.coldStarts();
      coldReq += m.coldRequests();
      for (int i = 0; i < buckets; i++) {
        req[i] += m.requestsPerBucket()[i];
        rep[i] += m.replicaSecondsPerBucket()[i];
      }
    }
    int peak = 0;
    return new ModelResult("(all)", requests, ok, all, rs, cold, coldReq, peak, req, rep);
  }
}
