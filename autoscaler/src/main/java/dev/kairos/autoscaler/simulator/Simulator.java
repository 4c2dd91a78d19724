package dev.kairos.autoscaler.simulator;

import dev.kairos.sdk.model.ScalingConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays a trace through the live autoscaler's decider and metric windows on a virtual clock. On a
 * machine whose starts or memory bind ({@link Machine#shared()}), the models replay together on one
 * clock, each start waiting for the machine; otherwise every model replays on its own (models then
 * share nothing but the trace), in parallel.
 */
public final class Simulator {
  private final SimulationOptions options;
  private final int parallelism;

  public Simulator(SimulationOptions options, int parallelism) {
    this.options = options;
    this.parallelism = Math.max(1, parallelism);
  }

  public SimulationResult run(Trace trace, String label, ScalingConfig spec) {
    long started = System.nanoTime();
    List<TraceModel> models = trace.models();
    if (options.latency().machine().shared()) {
      List<ModelReplay> replays = new ArrayList<>();
      long[] seeds = new long[models.size()];
      for (int i = 0; i < models.size(); i++) {
        replays.add(new ModelReplay(models.get(i), spec, options, trace.durationSeconds()));
        seeds[i] = seed(i);
      }
      List<ModelResult> results = FleetReplay.run(trace, replays, seeds, options);
      return new SimulationResult(label, spec, results, (System.nanoTime() - started) / 1e9);
    }
    List<ModelResult> results =
        BusiestFirst.map(
            models,
            parallelism,
            i ->
                new ModelReplay(models.get(i), spec, options, trace.durationSeconds())
                    .run(seed(i)));
    return new SimulationResult(label, spec, results, (System.nanoTime() - started) / 1e9);
  }

  /**
   * Replays model {@code index} of {@code trace} alone under {@code spec}, exactly as {@link #run}
   * replays it (same arrivals, same service times), over the first {@code horizonSeconds} of the
   * trace (all of it when longer).
   */
  public ModelResult replay(Trace trace, int index, ScalingConfig spec, double horizonSeconds) {
    return replay(trace, index, spec, null, horizonSeconds);
  }

  /**
   * As {@link #replay(Trace, int, ScalingConfig, double)}, with the model's requests batched.
   *
   * @param batching the model's batching knobs and profile; null for one request per slot
   */
  public ModelResult replay(
      Trace trace, int index, ScalingConfig spec, Batching batching, double horizonSeconds) {
    double horizon = Math.min(horizonSeconds, trace.durationSeconds());
    return new ModelReplay(trace.models().get(index), spec, batching, options, horizon)
        .run(seed(index));
  }

  public SimulationOptions options() {
    return options;
  }

  private long seed(int index) {
    return options.seed() * 1_000_003L + index;
  }
}
