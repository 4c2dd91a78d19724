package dev.kairos.cli;

import dev.kairos.autoscaler.simulator.Machine.StartKind;

/**
 * What a replica start costs on this kind of machine, as {@code tools/bench/replay/calibrate.sh}
 * measured it (docs/BENCHMARKS.md, "Simulator against a real replay", has the run): the defaults of
 * {@code kairos simulate} and {@code kairos tune}, each overridable by its flag.
 *
 * @param seconds one start alone, from asking for the replica to its first answer
 * @param capacity starts that progress at full speed together on the measured machine
 * @param replicaMib one replica's resident memory
 */
record StartCosts(double seconds, double capacity, double replicaMib) {
  /**
   * A {@code kairos serve} replica process of the mlp example, from a fresh JVM (no warm pool) to
   * ready, and the effective number of such starts the 2-core machine ran at full speed at once.
   */
  static final StartCosts PROCESS = new StartCosts(1.6, 1.4, 130);

  /** The mlp example loaded into a running runtime host (RuntimeMain --shared-host). */
  static final StartCosts HOST_LOAD = new StartCosts(0.02, 0, 8);

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
