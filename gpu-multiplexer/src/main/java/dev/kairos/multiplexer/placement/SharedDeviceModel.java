package dev.kairos.multiplexer.placement;

import java.util.List;

/**
 * Predicts, from profiles and rates alone, how models sharing one device fare under the
 * deadline-aware arbiter: non-preemptive slices, light before heavy, heavy batches capped.
 *
 * <p>Queueing follows the M/G/1 non-preemptive priority model (Cobham): with {@code W0 = Σ λ E[S²]
 * / 2} over all slices, light requests wait {@code W0 / (1 - ρ_light)} on average and heavy ones
 * {@code W0 / ((1 - ρ_light)(1 - ρ))}. A p99 is taken as service p99 + one whole neighbour slice (a
 * light request waits at most one) + ln(100) times the mean wait, an exponential-tail bound. Second
 * moments use p99 latencies. The figures are deliberately pessimistic; the simulator says how much.
 */
public final class SharedDeviceModel {
  private static final double LN100 = Math.log(100);

  private final long heavySliceCapNanos;

  /**
   * @param heavySliceCapNanos the arbiter's cap on heavy slices
   */
  public SharedDeviceModel(long heavySliceCapNanos) {
    this.heavySliceCapNanos = heavySliceCapNanos;
  }

  /** The batch a model's runtime runs on a shared device. */
  public int operatingBatch(ModelDemand m) {
    if (m.isLight()) {
      return 1;
    }
    int cap = m.profile().largestBatchWithin(Math.min(heavySliceCapNanos, m.sloNanos() / 2));
    double arrivingDuringOne = m.ratePerSecond() * m.profile().p50Nanos(cap) / 1e9;
    return (int) Math.max(1, Math.min(cap, Math.ceil(arrivingDuringOne)));
  }

  /** Fraction of the device's time the model keeps it busy. */
  public double utilisation(ModelDemand m) {
    return m.ratePerSecond() * m.profile().nanosPerItem(operatingBatch(m)) / 1e9;
  }

  public double utilisation(List<ModelDemand> models) {
    return models.stream().mapToDouble(this::utilisation).sum();
  }

  /**
   * Predicted p99 latency of {@code m} among {@code all} (which includes it); infinite if the
   * device saturates.
   */
  public double predictedP99Nanos(ModelDemand m, List<ModelDemand> all) {
    double rho = 0;
    double rhoLight = 0;
    double w0 = 0;
    double blocking = 0;
    for (ModelDemand j : all) {
      int b = operatingBatch(j);
      double u = utilisation(j);
      rho += u;
      if (j.isLight()) {
        rhoLight += u;
      }
      double p99 = j.profile().p99Nanos(b);
      w0 += (j.ratePerSecond() / b) * (p99 / 1e9) * (p99 / 1e9) / 2;
      if (j != m) {
        blocking = Math.max(blocking, p99);
      }
    }
    if (rho >= 1 || rhoLight >= 1) {
      return Double.POSITIVE_INFINITY;
    }
    double meanWaitSeconds = m.isLight() ? w0 / (1 - rhoLight) : w0 / ((1 - rhoLight) * (1 - rho));
    return m.profile().p99Nanos(operatingBatch(m)) + blocking + LN100 * meanWaitSeconds * 1e9;
  }

  /** Whether every model on the device keeps its SLO. */
  public boolean sloFeasible(List<ModelDemand> all) {
    for (ModelDemand m : all) {
      if (predictedP99Nanos(m, all) > m.sloNanos()) {
        return false;
      }
    }
    return true;
  }
}
