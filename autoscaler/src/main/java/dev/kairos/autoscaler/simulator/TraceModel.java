package dev.kairos.autoscaler.simulator;

import java.util.SplittableRandom;

/** One model of a trace: its name and how its requests arrive. */
public interface TraceModel {
  String name();

  /** Requests over the whole trace (for ordering reports). */
  long totalRequests();

  /** The arrivals, in time order, drawn with {@code random} where the trace leaves room. */
  Arrivals arrivals(SplittableRandom random);

  /** A stream of requests: {@link #next()} moves to the next one. */
  interface Arrivals {
    /** Moves to the next request; false when there are no more. */
    boolean next();

    /** Arrival time of the current request, in seconds since the trace began. */
    double time();

    /**
     * The current request's service time in seconds as the trace gives it, or NaN when the trace
     * has none.
     */
    double serviceTime();
  }
}
