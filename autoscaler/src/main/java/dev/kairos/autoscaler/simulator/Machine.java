package dev.kairos.autoscaler.simulator;

import java.util.Locale;

/**
 * The machine new replicas start on, shared by every model of a replay: how starts contend for it
 * and how many replicas its memory holds.
 *
 * <p>A start of one replica alone takes {@link LatencyModel#coldStartSeconds()}. When more starts
 * are in progress than {@code startCapacity}, they share that capacity equally (a JVM start is
 * CPU-bound: ten at once on two cores each take about five times as long). At most {@code
 * maxConcurrentStarts} are in progress; the rest wait in the order they were asked for, and so does
 * a start whose replica would not fit in {@code memoryMb}. A replica holds {@code replicaMb} from
 * the moment its start begins until it is removed.
 *
 * @param kind what a start is, for reports
 * @param startCapacity starts that progress at full speed together; 0 for no contention
 * @param maxConcurrentStarts starts in progress at once; 0 for no limit
 * @param memoryMb memory for replicas, MiB; 0 for no limit
 * @param replicaMb one replica's footprint, MiB
 */
public record Machine(
    StartKind kind,
    double startCapacity,
    int maxConcurrentStarts,
    double memoryMb,
    double replicaMb) {
  /** What starting a replica means. */
  public enum StartKind {
    /** A fixed delay, whatever else is starting. */
    FIXED,
    /** A runtime process: a JVM start, then the model's load. */
    PROCESS,
    /** A model loaded into a runtime host that is already running. */
    HOST_LOAD;

    /** The name used on the command line. */
    public String flag() {
      return switch (this) {
        case FIXED -> "fixed";
        case PROCESS -> "process";
        case HOST_LOAD -> "host";
      };
    }
  }

  /** Every start takes the same time, however many happen at once, and memory is unbounded. */
  public static final Machine UNBOUNDED = new Machine(StartKind.FIXED, 0, 0, 0, 0);

  public Machine {
    if (kind == null) {
      throw new IllegalArgumentException("start kind is missing");
    }
    if (!(startCapacity >= 0) || Double.isInfinite(startCapacity)) {
      throw new IllegalArgumentException(
          "start capacity = " + startCapacity + ", must be >= 0 (0: no contention)");
    }
    if (maxConcurrentStarts < 0) {
      throw new IllegalArgumentException(
          "concurrent starts = " + maxConcurrentStarts + ", must be >= 0 (0: no limit)");
    }
    if (!(memoryMb >= 0) || Double.isInfinite(memoryMb)) {
      throw new IllegalArgumentException(
          "machine memory = " + memoryMb + " MiB, must be >= 0 (0: no limit)");
    }
    if (!(replicaMb >= 0) || Double.isInfinite(replicaMb)) {
      throw new IllegalArgumentException("replica memory = " + replicaMb + " MiB, must be >= 0");
    }
    if (memoryMb > 0 && replicaMb > memoryMb) {
      throw new IllegalArgumentException(
          "one replica ("
              + replicaMb
              + " MiB) does not fit in the machine's memory ("
              + memoryMb
              + " MiB)");
    }
  }

  /** Whether starts of different models affect each other, so that models replay together. */
  public boolean shared() {
    return startCapacity > 0 || maxConcurrentStarts > 0 || memoryMb > 0;
  }

  /** One line for reports. */
  public String describe(double startSeconds) {
    StringBuilder s = new StringBuilder();
    s.append(
        switch (kind) {
          case FIXED -> "cold start";
          case PROCESS -> "process start";
          case HOST_LOAD -> "host load";
        });
    s.append(String.format(Locale.ROOT, " %.3f s", startSeconds));
    if (startCapacity > 0) {
      s.append(String.format(Locale.ROOT, ", %.2f at full speed", startCapacity));
    }
    if (maxConcurrentStarts > 0) {
      s.append(", at most ").append(maxConcurrentStarts).append(" at once");
    }
    if (memoryMb > 0) {
      s.append(
          String.format(
              Locale.ROOT, ", memory %.0f MiB at %.0f MiB per replica", memoryMb, replicaMb));
    }
    return s.toString();
  }
}
