package dev.kairos.autoscaler.simulator;

import dev.kairos.sdk.model.ScalingConfig;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Replays a trace through the live autoscaler's decider and metric windows on a virtual clock:
 * every model on its own (models share nothing but the trace), in parallel.
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
    ForkJoinPool pool = new ForkJoinPool(parallelism);
    try {
      List<ModelResult> results =
          pool.submit(
                  () ->
                      IntStream.range(0, models.size())
                          .parallel()
                          .mapToObj(
                              i ->
                                  new ModelReplay(
                                          models.get(i), spec, options, trace.durationSeconds())
                                      .run(options.seed() * 1_000_003L + i))
                          .toList())
              .join();
      return new SimulationResult(label, spec, results, (System.nanoTime() - started) / 1e9);
    } finally {
      pool.shutdown();
    }
  }
}
