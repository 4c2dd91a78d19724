package dev.kairos.runtime.buffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct buffers kept for reuse: request bodies and the batches joined from them, which ONNX
 * Runtime reads in place. A fresh direct buffer is zeroed, page-faulted in and only freed after a
 * garbage collection notices it; a reused one costs none of that.
 *
 * <p>Sizes are rounded up to a size class (a power of two, or 1.25, 1.5 or 1.75 times one), so a
 * buffer serves requests up to a quarter smaller than it. The pool keeps at most {@code
 * maxRetainedBytes} of idle buffers; a buffer given back beyond that is dropped for the collector.
 * Thread-safe.
 */
public final class DirectBufferPool {
  /** Smaller buffers are cheap to allocate and not worth pooling. */
  static final int MIN_POOLED_BYTES = 4096;

  private static final DirectBufferPool SHARED =
      new DirectBufferPool(Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4));

  private final long maxRetainedBytes;
  private final AtomicLong retained = new AtomicLong();
  private final AtomicLong lent = new AtomicLong();
  private final ConcurrentHashMap<Integer, ArrayDeque<ByteBuffer>> idle = new ConcurrentHashMap<>();

  /**
   * @param maxRetainedBytes the most idle bytes kept for reuse (0: keep nothing)
   */
  public DirectBufferPool(long maxRetainedBytes) {
    if (maxRetainedBytes < 0) {
      throw new IllegalArgumentException(
          "maxRetainedBytes = " + maxRetainedBytes + ", must be >= 0");
    }
    this.maxRetainedBytes = maxRetainedBytes;
  }

  /**
   * The process's pool; it keeps up to a quarter of the maximum heap size, at most 256 MiB, since
   * direct memory is limited to the heap's maximum unless the JVM is told otherwise.
   */
  public static DirectBufferPool shared() {
    return SHARED;
  }

  /**
   * A little-endian direct buffer with position 0 and limit {@code bytes}; its contents are
   * whatever the last user left.
   *
   * @throws DirectMemoryExhaustedException when the process has no direct memory left for it
   */
  public PooledBuffer take(long bytes) {
    if (bytes < 0 || bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a direct buffer of " + bytes + " bytes is out of range");
    }
    int size = sizeClass((int) bytes);
    ByteBuffer b = null;
    ArrayDeque<ByteBuffer> free = idle.get(size);
    if (free != null) {
      synchronized (free) {
        b = free.pollFirst();
      }
    }
    if (b != null) {
      retained.addAndGet(-size);
    } else {
      b = allocate(size);
    }
    b.clear().limit((int) bytes);
    lent.incrementAndGet();
    return new PooledBuffer(this, b.order(ByteOrder.LITTLE_ENDIAN));
  }

  /** Idle bytes kept for reuse. */
  public long retainedBytes() {
    return retained.get();
  }

  /**
   * Buffers taken and not yet given back: what requests and batches in progress hold, or a leak if
   * it keeps growing while the process is idle.
   */
  public long lentBuffers() {
    return lent.get();
  }

  void giveBack(ByteBuffer b) {
    lent.decrementAndGet();
    int size = b.capacity();
    if (retained.addAndGet(size) > maxRetainedBytes) {
      retained.addAndGet(-size);
      return;
    }
    ArrayDeque<ByteBuffer> free = idle.computeIfAbsent(size, s -> new ArrayDeque<>());
    synchronized (free) {
      free.addFirst(b);
    }
  }

  private static ByteBuffer allocate(int size) {
    try {
      return ByteBuffer.allocateDirect(size);
    } catch (OutOfMemoryError e) {
      throw new DirectMemoryExhaustedException(
          "no direct memory left for a buffer of " + size + " bytes", e);
    }
  }

  /** The smallest size class holding {@code bytes}. */
  static int sizeClass(int bytes) {
    if (bytes <= MIN_POOLED_BYTES) {
      return MIN_POOLED_BYTES;
    }
    int high = Integer.highestOneBit(bytes);
    if (high == bytes) {
      return bytes;
    }
    int step = Math.max(1, high >> 2);
    long size = ((long) bytes + step - 1) / step * step;
    return (int) Math.min(size, Integer.MAX_VALUE);
  }
}
