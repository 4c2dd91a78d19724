package dev.kairos.multiplexer.arbiter.policy;

import java.util.List;

/**
 * The order in which a device's waiting slices are granted. Implementations are deterministic
 * functions of what they are given (and of their own accounting), never of a clock they read
 * themselves: the arbiter passes {@code nowNanos}, so the same code runs under a fake clock in
 * tests, the virtual clock of the simulator and the system clock in the arbiter server.
 */
public interface SlicePolicy {
  /** The policy's name in configuration and reports: {@code fifo}, {@code deadline}, ... */
  String name();

  /**
   * Picks the next slice to grant.
   *
   * @param waiting the slices waiting, in arrival order, never empty
   * @return an index into {@code waiting}
   */
  int choose(List<PendingSlice> waiting, long nowNanos);

  /**
   * How long a newcomer would wait before it is granted, for admission control: the device time of
   * the slices this policy would run before it.
   *
   * @param waiting the slices already waiting, in arrival order
   * @param busyRemainingNanos estimated device time left in the slice that holds the device now
   */
  long estimatedWaitNanos(
      List<PendingSlice> waiting, PendingSlice newcomer, long busyRemainingNanos, long nowNanos);

  /**
   * The longest slice a granted batch should take, so that runtimes can size batches; {@link
   * Long#MAX_VALUE} for no cap.
   */
  default long sliceCapNanos(PendingSlice granted, long nowNanos) {
    return Long.MAX_VALUE;
  }

  /**
   * Whether {@code newcomer} may suspend {@code holder} on a device that can preempt (a CPU core
   * set, whose runtime processes can be stopped and continued). Default: never.
   */
  default boolean preempts(PendingSlice newcomer, PendingSlice holder) {
    return false;
  }

  /** Called when a slice joins the waiting list (before any {@link #choose}). */
  default void onArrival(PendingSlice slice, long nowNanos) {}

  /** Called when a waiting slice leaves without being chosen (rejected late, or abandoned). */
  default void onDropped(PendingSlice slice) {}

  /** Called when a slice is released, with the device time it really used. */
  default void onReleased(PendingSlice slice, long usedNanos) {}
}
