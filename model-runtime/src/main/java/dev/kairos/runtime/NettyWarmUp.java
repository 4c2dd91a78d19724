package dev.kairos.runtime;

import io.netty.buffer.ByteBufAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pays Netty's one-time buffer-allocator start-up on a background thread while the process starts,
 * instead of on an event loop during its first request. Netty 4.2's adaptive allocator registers
 * Java Flight Recorder event types when it first allocates, which loads JFR's metadata: about 1 s
 * here on an idle core, several seconds on a busy machine, all of it added to the first request's
 * latency (a cold start) and blocking every other connection on that event loop meanwhile.
 */
public final class NettyWarmUp {
  private NettyWarmUp() {}

  /** Starts the warm-up; returns at once. */
  public static void start() {
    Thread t =
        new Thread(
            () -> {
              long start = System.nanoTime();
              ByteBufAllocator.DEFAULT.directBuffer(64).release();
              ByteBufAllocator.DEFAULT.heapBuffer(64).release();
              // the logger is asked for here, not held in a field: logging's setup is no part of
              // the thread that starts this
              Logger log = LoggerFactory.getLogger(NettyWarmUp.class);
              log.debug("netty allocator warmed up in {} ms", (System.nanoTime() - start) / 1e6);
            },
            "netty-warm-up");
    t.setDaemon(true);
    t.start();
  }
}
