package dev.kairos.runtime.buffer;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A direct buffer lent by a {@link DirectBufferPool}. Closing gives it back; after that nothing may
 * read or write it, including views taken from {@link #buffer()}. Closing twice is harmless.
 */
public final class PooledBuffer implements AutoCloseable {
  private final DirectBufferPool pool;
  private final ByteBuffer buffer;
  private final AtomicBoolean returned = new AtomicBoolean();

  PooledBuffer(DirectBufferPool pool, ByteBuffer buffer) {
    this.pool = pool;
    this.buffer = buffer;
  }

  /** The buffer itself (not a view): position 0, limit the size asked for, little-endian. */
  public ByteBuffer buffer() {
    return buffer;
  }

  @Override
  public void close() {
    if (returned.compareAndSet(false, true)) {
      pool.giveBack(buffer);
    }
  }
}
