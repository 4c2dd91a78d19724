package dev.kairos.runtime.host;

import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Measures each load's footprint as the growth of the process's resident set while it ran.
 *
 * <p>Loads run concurrently (up to the host's bound), so a window can see a neighbour's memory too:
 * such a measurement is marked not {@link Footprint#alone()} and errs high. An unload that runs
 * during a window would make it err low, so what each unload gives back is measured and added back
 * to every window open at the time. The figure is never below the artifact's size on disk: a
 * garbage collection during the load can shrink the heap's resident pages and leave a delta that
 * says nothing of the model.
 */
public final class FootprintMeter {
  private final LongSupplier rss;
  private final Set<Window> open = new HashSet<>();

  /**
   * @param rss the process's resident set size in bytes ({@link ResidentMemory})
   */
  public FootprintMeter(LongSupplier rss) {
    this.rss = rss;
  }

  /** One load's measurement, from {@link #open()} to {@link #close}. */
  public static final class Window {
    private final long start;
    private long givenBack;
    private boolean disturbed;

    private Window(long start, boolean disturbed) {
      this.start = start;
      this.disturbed = disturbed;
    }
  }

  /** Starts measuring a load. */
  public synchronized Window open() {
    Window w = new Window(rss.getAsLong(), !open.isEmpty());
    for (Window other : open) {
      other.disturbed = true;
    }
    open.add(w);
    return w;
  }

  /**
   * Ends a load's measurement.
   *
   * @param floorBytes the least the model can take (its artifact's size)
   */
  public synchronized Footprint close(Window w, long floorBytes) {
    open.remove(w);
    long delta = rss.getAsLong() - w.start + w.givenBack;
    return new Footprint(Math.max(delta, floorBytes), !w.disturbed);
  }

  /** Abandons a measurement (the load failed). */
  public synchronized void cancel(Window w) {
    open.remove(w);
  }

  /**
   * Runs an unload, crediting what it gave back to the loads being measured meanwhile.
   *
   * @return the bytes the resident set shrank by (0 if it grew)
   */
  public long release(Runnable unload) {
    long before = rss.getAsLong();
    unload.run();
    long freed = Math.max(0, before - rss.getAsLong());
    synchronized (this) {
      for (Window w : open) {
        w.givenBack += freed;
        w.disturbed = true;
      }
    }
    return freed;
  }
}
