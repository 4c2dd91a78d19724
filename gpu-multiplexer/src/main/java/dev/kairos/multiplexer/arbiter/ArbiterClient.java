package dev.kairos.multiplexer.arbiter;

/**
 * A runtime's side of device time-sharing: ask for a slice before each batch, close the lease
 * after. A model alone on its device uses {@link #unshared()}, which grants at once and costs
 * nothing.
 */
public interface ArbiterClient extends AutoCloseable {
  /**
   * Waits until the device grants a slice.
   *
   * @throws SliceRejectedException if the arbiter's admission control refuses the batch
   * @throws InterruptedException if the waiting thread is interrupted
   */
  DeviceLease acquire(SliceRequest request) throws InterruptedException;

  @Override
  default void close() {}

  /** No sharing: every slice is granted at once. */
  static ArbiterClient unshared() {
    return request -> () -> {};
  }
}
