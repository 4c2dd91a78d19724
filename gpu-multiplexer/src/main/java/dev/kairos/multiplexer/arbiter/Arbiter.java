package dev.kairos.multiplexer.arbiter;

import dev.kairos.multiplexer.arbiter.policy.PendingSlice;
import dev.kairos.multiplexer.arbiter.policy.SlicePolicy;
import dev.kairos.sdk.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One device's arbiter: at most one slice holds the device at a time; the others wait and are
 * granted in the order the {@link SlicePolicy} chooses. With admission control on, a slice that
 * cannot meet its deadline is rejected when it arrives (by the policy's wait estimate) or when its
 * turn comes (by then it would run late), instead of running late and delaying everyone else.
 *
 * <p>Where the device can preempt ({@code preemptionLimitNanos > 0}: a CPU core set, whose runtime
 * processes can be stopped and continued), a slice the policy lets preempt the holder (light over
 * heavy) is granted at once and the holder suspended; the holder resumes when no such slice waits,
 * or when it has been suspended for {@code preemptionLimitNanos}, after which it runs to the end of
 * its slice unpreempted. Without preemption (a GPU), slices are never interrupted and the policy's
 * slice cap bounds the wait instead.
 *
 * <p>No threads and no I/O: the Unix-socket server and the fleet simulator both drive this class,
 * and tell it the time through the injected clock. Decisions are delivered to the {@link Listener}
 * synchronously, under this object's lock.
 */
public final class Arbiter {
  /** Told of each decision. */
  public interface Listener {
    /** The slice holds the device; {@code sliceCapNanos} is the policy's advice on its length. */
    void granted(PendingSlice slice, long sliceCapNanos);

    void rejected(PendingSlice slice, String reason);

    /** The holder is preempted: its runtime must stop using the device until resumed. */
    default void suspended(PendingSlice slice) {}

    /** A preempted holder may use the device again. */
    default void resumed(PendingSlice slice) {}
  }

  private final String device;
  private final SlicePolicy policy;
  private final Clock clock;
  private final boolean admissionControl;
  private final long preemptionLimitNanos;
  private final Listener listener;
  private final List<PendingSlice> waiting = new ArrayList<>();
  private PendingSlice holder;
  private long holderSince;
  private PendingSlice suspended;
  private long suspendedSince;
  private boolean holderUnpreemptible;
  private long nextId = 1;
  private long granted;
  private long rejected;
  private final Map<String, SliceStats.Recorder> byModel = new TreeMap<>();

  public Arbiter(
      String device, SlicePolicy policy, Clock clock, boolean admissionControl, Listener listener) {
    this(device, policy, clock, admissionControl, 0, listener);
  }

  /**
   * @param preemptionLimitNanos the longest a preempted holder stays suspended; 0 for a device that
   *     cannot preempt
   */
  public Arbiter(
      String device,
      SlicePolicy policy,
      Clock clock,
      boolean admissionControl,
      long preemptionLimitNanos,
      Listener listener) {
    this.preemptionLimitNanos = preemptionLimitNanos;
    this.device = device;
    this.policy = policy;
    this.clock = clock;
    this.admissionControl = admissionControl;
    this.listener = listener;
  }

  public String device() {
    return device;
  }

  public SlicePolicy policy() {
    return policy;
  }

  /**
   * A runtime asks for a slice. The listener hears of the grant or the rejection, now or later.
   *
   * @param owner who asked, handed back in the {@link PendingSlice}
   * @return the slice's id, to {@link #release} it
   */
  public synchronized long submit(SliceRequest request, Object owner) {
    long now = clock.monotonicNanos();
    PendingSlice slice = new PendingSlice(nextId++, request, now, owner);
    if (mayPreempt(slice)) {
      policy.onArrival(slice, now);
      suspended = holder;
      suspendedSince = now;
      listener.suspended(suspended);
      grant(slice, now);
      return slice.id();
    }
    if (admissionControl && slice.hasDeadline()) {
      long wait = policy.estimatedWaitNanos(waiting, slice, busyRemaining(now), now);
      long late = now + wait + request.estimatedNanos() - request.deadlineNanos();
      if (late > 0) {
        reject(slice, "would finish " + millis(late) + " after its deadline");
        return slice.id();
      }
    }
    waiting.add(slice);
    policy.onArrival(slice, now);
    dispatch(now);
    return slice.id();
  }

  /** The holder of slice {@code id} is done with the device. Unknown ids are ignored. */
  public synchronized void release(long id) {
    long now = clock.monotonicNanos();
    if (suspended != null && suspended.id() == id) {
      // The preempted holder had finished and sent its release before it was suspended: it holds
      // nothing any more, so let its process go on.
      policy.onReleased(suspended, now - holderSince);
      PendingSlice done = suspended;
      suspended = null;
      listener.resumed(done);
      return;
    }
    if (holder == null || holder.id() != id) {
      return;
    }
    policy.onReleased(holder, now - holderSince);
    holder = null;
    holderUnpreemptible = false;
    if (suspended != null) {
      int next = nextPreempting(now);
      if (next >= 0) {
        grant(waiting.remove(next), now);
        return;
      }
      holder = suspended;
      holderSince = now;
      holderUnpreemptible = now - suspendedSince >= preemptionLimitNanos;
      suspended = null;
      listener.resumed(holder);
      return;
    }
    dispatch(now);
  }

  private boolean mayPreempt(PendingSlice newcomer) {
    return preemptionLimitNanos > 0
        && holder != null
        && suspended == null
        && !holderUnpreemptible
        && policy.preempts(newcomer, holder);
  }

  /** A waiting slice that may keep the suspended holder suspended, or -1. */
  private int nextPreempting(long now) {
    if (now - suspendedSince >= preemptionLimitNanos || waiting.isEmpty()) {
      return -1;
    }
    int i = policy.choose(waiting, now);
    return policy.preempts(waiting.get(i), suspended) ? i : -1;
  }

  private void grant(PendingSlice slice, long now) {
    holder = slice;
    holderSince = now;
    granted++;
    recorder(slice.model()).granted(now - slice.arrivalNanos());
    listener.granted(slice, policy.sliceCapNanos(slice, now));
  }

  /** The owner went away (its connection closed): drop what it waits for, free what it holds. */
  public synchronized void abandon(Object owner) {
    for (Iterator<PendingSlice> it = waiting.iterator(); it.hasNext(); ) {
      PendingSlice p = it.next();
      if (p.owner() == owner) {
        it.remove();
        policy.onDropped(p);
      }
    }
    if (suspended != null && suspended.owner() == owner) {
      suspended = null;
    }
    if (holder != null && holder.owner() == owner) {
      release(holder.id());
    }
  }

  public synchronized int waitingCount() {
    return waiting.size();
  }

  public synchronized boolean busy() {
    return holder != null;
  }

  /** Whether a preempted slice waits to resume. */
  public synchronized boolean hasSuspended() {
    return suspended != null;
  }

  public synchronized long grantedCount() {
    return granted;
  }

  public synchronized long rejectedCount() {
    return rejected;
  }

  /** Per-model statistics (slices granted and rejected, recent waits), by model name. */
  public synchronized List<SliceStats> statsByModel() {
    return byModel.values().stream().map(SliceStats.Recorder::snapshot).toList();
  }

  private SliceStats.Recorder recorder(String model) {
    return byModel.computeIfAbsent(model, m -> new SliceStats.Recorder(m, 1024));
  }

  private long busyRemaining(long now) {
    if (holder == null) {
      return 0;
    }
    return Math.max(0, holderSince + holder.estimatedNanos() - now);
  }

  private void dispatch(long now) {
    while (holder == null && !waiting.isEmpty()) {
      PendingSlice next = waiting.remove(policy.choose(waiting, now));
      long late = now + next.estimatedNanos() - next.deadlineNanos();
      if (admissionControl && next.hasDeadline() && late > 0) {
        policy.onDropped(next);
        reject(next, "would finish " + millis(late) + " after its deadline by the time it ran");
        continue;
      }
      grant(next, now);
    }
  }

  private void reject(PendingSlice slice, String reason) {
    rejected++;
    recorder(slice.model()).rejected();
    listener.rejected(slice, "device " + device + ": model '" + slice.model() + "' " + reason);
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
  }
}
