package dev.kairos.autoscaler.tuner;

import dev.kairos.autoscaler.simulator.BusiestFirst;
import dev.kairos.autoscaler.simulator.SimulationOptions;
import dev.kairos.autoscaler.simulator.Simulator;
import dev.kairos.autoscaler.simulator.Trace;
import dev.kairos.autoscaler.simulator.TraceModel;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.Function;

/**
 * Searches each model's knobs against a trace, on the simulator that runs the live autoscaler's
 * decider: per model, since each model's decider is its own, models in parallel and the busiest
 * first (so that a wall-time budget is spent where most requests are).
 */
public final class Tuner {
  /** Told after each model's search; called from the searching threads. */
  public interface Progress {
    void modelDone(int done, int total, ModelRecommendation model, double replays);
  }

  private final Simulator simulator;
  private final Goal goal;
  private final Budget budget;
  private final SearchMethod method;
  private final long seed;
  private final int threads;

  /**
   * @param options how replays run (replica model, SLO wait bound, decider tick, replay seed)
   * @param goal objective and attainment target
   * @param budget replays per model and an optional wall-time bound
   * @param method {@code evolution} (default) or {@code grid}
   * @param seed seeds the search (the replays' own randomness is {@code options.seed()})
   * @param threads models searched at once
   * @throws IllegalArgumentException for an unknown method
   */
  public Tuner(
      SimulationOptions options, Goal goal, Budget budget, String method, long seed, int threads) {
    this.simulator = new Simulator(options, 1);
    this.goal = goal;
    this.budget = budget;
    this.method = SearchMethod.named(method);
    this.seed = seed;
    this.threads = Math.max(1, threads);
  }

  /**
   * @param spaces each model's search space by model name (its current setting and the ranges)
   */
  public TuningResult tune(Trace trace, Function<String, SearchSpace> spaces, Progress progress) {
    long started = System.nanoTime();
    long deadline =
        budget.wallTime() == null
            ? started + Long.MAX_VALUE / 2
            : started + budget.wallTime().toNanos();
    List<TraceModel> models = trace.models();
    AtomicInteger done = new AtomicInteger();
    DoubleAdder replays = new DoubleAdder();
    List<ModelRecommendation> out =
        BusiestFirst.map(
            models,
            threads,
            i -> {
              SearchSpace space = spaces.apply(models.get(i).name());
              ModelRecommendation r = tuneOne(trace, i, space, deadline);
              replays.add(r.replays());
              progress.modelDone(done.incrementAndGet(), models.size(), r, replays.sum());
              return r;
            });
    List<ModelRecommendation> all = List.copyOf(out);
    if (goal.fleet()) {
      double target =
          Double.isNaN(goal.attainment())
              ? new TuningResult(all, goal, 0).current().attainment()
              : goal.attainment();
      all = FleetAllocation.allocate(all, goal.objective(), target);
    }
    return new TuningResult(all, goal, (System.nanoTime() - started) / 1e9);
  }

  private ModelRecommendation tuneOne(Trace trace, int index, SearchSpace space, long deadline) {
    Evaluator evaluator =
        new Evaluator(
            simulator,
            trace,
            index,
            budget.replaysPerModel(),
            deadline,
            System::nanoTime,
            space.profile());
    Evaluation current = evaluator.evaluateAnyway(space.current());
    double target = goal.target(current);
    Function<Evaluation, Score> score = e -> Score.of(e, goal.objective(), target);
    method.search(space, evaluator, score, seed * 1_000_003L + index);
    Evaluation best = current;
    for (Evaluation e : evaluator.whole()) {
      if (score.apply(e).compareTo(score.apply(best)) < 0) {
        best = e;
      }
    }
    return new ModelRecommendation(
        trace.models().get(index).name(),
        current,
        best,
        target,
        best.attainment() >= target - 1e-12,
        evaluator.whole(),
        evaluator.spent());
  }
}
