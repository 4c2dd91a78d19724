package dev.kairos.cli;

import dev.kairos.autoscaler.simulator.Machine.StartKind;

/**
 * What a replica start costs on this kind of machine, as {@code tools/bench/replay/calibrate.py}
 * measured it on the project's shared 2-core machine (docs/BENCHMARKS.md, "Simulator against a real
 * replay", has the run and the load it ran under): the defaults of {@code kairos simulate} and
 * {@code kairos tune}, each overridable by its flag. A start's cost depends on what else the
 * machine runs; re-measure with that command where it matters.
 *
 * @param seconds one start alone, from asking for the replica to its being ready
 * @param capacity starts that progressed at full speed together on the measured machine (not a
 *     default: {@code --start-capacity} is 0, no contention, unless given)
 * @param replicaMib one replica's resident memory
 */
record StartCosts(double seconds, double capacity, double replicaMib) {
  /**
   * A {@code kairos serve} replica process of the mlp example from a fresh JVM (no warm pool):
   * {@code calibrate.py --rounds 3 --storm 4}.
   */
  static final StartCosts PROCESS = new StartCosts(7.3, 0.77, 112);

  /**
   * The mlp example loaded into a running runtime host (RuntimeMain --shared-host), as the host
   * reports its load time (the median after the first, which also warms the engine up) and the
   * host's resident memory with it loaded: {@code tools/bench/runtime/host_cycles.py --model mlp}.
   */
  static final StartCosts HOST_LOAD = new StartCosts(0.07, 0, 4);

  /** The simulator's former assumption: one second, no contention, no memory bound. */
  static final StartCosts FIXED = new StartCosts(1.0, 0, 0);

  static StartCosts of(StartKind kind) {
    return switch (kind) {
      case PROCESS -> PROCESS;
      case HOST_LOAD -> HOST_LOAD;
      case FIXED -> FIXED;
    };
  }
}
