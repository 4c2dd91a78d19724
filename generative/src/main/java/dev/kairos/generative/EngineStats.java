package dev.kairos.generative;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The engine's counters and gauges, read by whatever exports metrics (the engine does not know the
 * exporter). Latency observations go to listeners the exporter adds.
 */
public final class EngineStats {
  public final AtomicInteger running = new AtomicInteger();
  public final AtomicInteger waiting = new AtomicInteger();
  public final AtomicInteger blocksUsed = new AtomicInteger();
  public final AtomicInteger blocksFree = new AtomicInteger();
  public final AtomicLong preemptions = new AtomicLong();
  public final AtomicLong promptTokens = new AtomicLong();
  public final AtomicLong generatedTokens = new AtomicLong();
  public final AtomicLong prefixHitTokens = new AtomicLong();
  public final AtomicLong prefixLookups = new AtomicLong();
  public final AtomicLong prefixHits = new AtomicLong();
  public final AtomicLong finished = new AtomicLong();
  public final AtomicLong failed = new AtomicLong();
  public final AtomicLong cancelled = new AtomicLong();
  public final Observations timeToFirstToken = new Observations();
  public final Observations timePerOutputToken = new Observations();

  /** From arrival to the last token of every sequence that finished (not failed or cancelled). */
  public final Observations endToEnd = new Observations();

  /** Durations in nanoseconds, passed on to listeners as they are observed. */
  public static final class Observations {
    private volatile LongConsumer listener = nanos -> {};

    public void listen(LongConsumer l) {
      listener = l;
    }

    void record(long nanos) {
      listener.accept(nanos);
    }
  }
}
