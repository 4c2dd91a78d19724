package dev.kairos.autoscaler.tuner;

import dev.kairos.autoscaler.simulator.BatchLatencies;
import dev.kairos.autoscaler.simulator.Batching;
import dev.kairos.autoscaler.simulator.ModelResult;
import dev.kairos.autoscaler.simulator.Simulator;
import dev.kairos.autoscaler.simulator.Trace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Replays settings of one model and keeps the account: a setting is replayed once per share of the
 * trace, and no replay starts once the budget (replays, or the search's deadline) is spent.
 */
final class Evaluator {
  private final Simulator simulator;
  private final Trace trace;
  private final int index;
  private final double budget;
  private final long deadlineNanos;
  private final LongSupplier nanoTime;
  private final BatchLatencies profile;
  private final Map<Key, Evaluation> seen = new HashMap<>();
  private final List<Evaluation> whole = new ArrayList<>();
  private double spent;

  private record Key(Setting setting, double share) {}

  Evaluator(
      Simulator simulator,
      Trace trace,
      int index,
      double budget,
      long deadlineNanos,
      LongSupplier nanoTime,
      BatchLatencies profile) {
    this.profile = profile;
    this.simulator = simulator;
    this.trace = trace;
    this.index = index;
    this.budget = budget;
    this.deadlineNanos = deadlineNanos;
    this.nanoTime = nanoTime;
  }

  /** Whether a replay of {@code share} of the trace still fits the budget. */
  boolean affords(double share) {
    return spent + share <= budget + 1e-9 && nanoTime.getAsLong() - deadlineNanos < 0;
  }

  /** The setting replayed over {@code share} of the trace, or null when the budget is spent. */
  Evaluation evaluate(Setting s, double share) {
    Key k = new Key(s, share);
    Evaluation e = seen.get(k);
    if (e != null) {
      return e;
    }
    if (!affords(share)) {
      return null;
    }
    return replay(s, share);
  }

  /** Replays {@code s} over the whole trace whatever the budget says (the current setting). */
  Evaluation evaluateAnyway(Setting s) {
    Evaluation e = seen.get(new Key(s, 1.0));
    return e != null ? e : replay(s, 1.0);
  }

  private Evaluation replay(Setting s, double share) {
    spent += share;
    ModelResult r =
        simulator.replay(
            trace,
            index,
            s.scaling(),
            profile == null ? null : new Batching(s.batching(), profile),
            share * trace.durationSeconds());
    Evaluation e =
        new Evaluation(s, share, r.requests(), r.withinSlo(), r.replicaSeconds(), r.coldStarts());
    seen.put(new Key(s, share), e);
    if (share == 1.0) {
      whole.add(e);
    }
    return e;
  }

  /** Every setting replayed over the whole trace, in the order they were. */
  List<Evaluation> whole() {
    return List.copyOf(whole);
  }

  /** Replays left, in whole-trace equivalents. */
  double budgetLeft() {
    return Math.max(0, budget - spent);
  }

  double spent() {
    return spent;
  }
}
