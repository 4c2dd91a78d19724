package dev.kairos.multiplexer.arbiter;

/** A granted time slice on a device; closing it tells the arbiter the batch is done. */
public interface DeviceLease extends AutoCloseable {
  @Override
  void close();

  /**
   * The arbiter's advice on how long this slice may hold the device, so that a runtime can size its
   * batch; {@link Long#MAX_VALUE} when there is no cap.
   */
  default long sliceCapNanos() {
    return Long.MAX_VALUE;
  }
}
