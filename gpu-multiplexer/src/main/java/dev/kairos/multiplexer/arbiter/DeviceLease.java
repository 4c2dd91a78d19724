package dev.kairos.multiplexer.arbiter;

/** A granted time slice on a device; closing it tells the arbiter the batch is done. */
public interface DeviceLease extends AutoCloseable {
  @Override
  void close();
}
