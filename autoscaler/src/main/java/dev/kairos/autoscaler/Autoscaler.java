package dev.kairos.autoscaler;

import dev.kairos.autoscaler.decider.DeciderState;
import dev.kairos.autoscaler.decider.KpaDecider;
import dev.kairos.autoscaler.decider.ScaleDecision;
import dev.kairos.autoscaler.metrics.ConcurrencyWindow;
import dev.kairos.autoscaler.metrics.MetricSnapshot;
import dev.kairos.autoscaler.scaler.ReplicaCount;
import dev.kairos.autoscaler.scaler.ScaleTarget;
import dev.kairos.autoscaler.scaler.Scaler;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.time.Clock;
import dev.kairos.sdk.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The autoscaling loop: samples each target's concurrency into its windows, asks the {@link
 * KpaDecider} what it wants, and tells the {@link Scaler} when that differs from what it has. The
 * knobs of a target can change at any time; the next decision uses them.
 *
 * <p>Driven by {@link #sample()} and {@link #tick()}, which {@link #start} schedules; tests call
 * them by hand after moving a {@link ManualClock}.
 */
public final class Autoscaler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Autoscaler.class);

  private final Scaler scaler;
  private final ConcurrencySource source;
  private final Clock clock;
  private final Map<ScaleTarget, Target> targets = new LinkedHashMap<>();
  private final List<ScheduledFuture<?>> schedules = new ArrayList<>();
  private final List<DecisionListener> listeners = new CopyOnWriteArrayList<>();

  /** Told of every decision (the console records them); called on the deciding thread. */
  @FunctionalInterface
  public interface DecisionListener {
    /**
     * @param target whose replicas were decided
     * @param before the replicas the scaler had when the decision was taken
     * @param decision what the decider wants, and why
     */
    void decided(ScaleTarget target, ReplicaCount before, ScaleDecision decision);
  }

  public Autoscaler(Scaler scaler, ConcurrencySource source, Clock clock) {
    this.scaler = scaler;
    this.source = source;
    this.clock = clock;
  }

  private static final class Target {
    volatile ScalingConfig spec;
    final ConcurrencyWindow window;
    DeciderState state;
    volatile ScaleDecision last;

    Target(ScalingConfig spec, long now) {
      this.spec = spec;
      this.window = new ConcurrencyWindow(spec.stableWindow());
      this.state = DeciderState.initial(now);
    }
  }

  /** Adds a listener of every decision; it must be quick (it runs under this object's lock). */
  public void addListener(DecisionListener listener) {
    listeners.add(listener);
  }

  /** Starts autoscaling a target with these knobs; its replicas are the scaler's business. */
  public synchronized void register(ScaleTarget target, ScalingConfig spec) {
    targets.put(target, new Target(spec, clock.monotonicNanos()));
  }

  public synchronized void unregister(ScaleTarget target) {
    targets.remove(target);
  }

  public synchronized List<ScaleTarget> targets() {
    return List.copyOf(targets.keySet());
  }

  /** The knobs a target is scaled by now. */
  public synchronized Optional<ScalingConfig> spec(ScaleTarget target) {
    Target t = targets.get(target);
    return t == null ? Optional.empty() : Optional.of(t.spec);
  }

  /**
   * Changes a target's knobs; the next decision applies them.
   *
   * @return false when the target is not autoscaled
   */
  public synchronized boolean setSpec(ScaleTarget target, ScalingConfig spec) {
    Target t = targets.get(target);
    if (t == null) {
      return false;
    }
    t.spec = spec;
    log.info(
        "model={} version={} scaling knobs set: {}",
        target.model(),
        target.version(),
        spec.knobs());
    return true;
  }

  /** The last decision for a target, with its reasons. */
  public synchronized Optional<ScaleDecision> lastDecision(ScaleTarget target) {
    Target t = targets.get(target);
    return t == null ? Optional.empty() : Optional.ofNullable(t.last);
  }

  /** Records every target's concurrency now. */
  public synchronized void sample() {
    long now = clock.monotonicNanos();
    for (Map.Entry<ScaleTarget, Target> e : targets.entrySet()) {
      e.getValue().window.record(now, source.concurrency(e.getKey()));
    }
  }

  /** Decides for every target and scales those whose replicas differ from the decision. */
  public synchronized void tick() {
    for (ScaleTarget t : targets.keySet()) {
      decide(t);
    }
  }

  /**
   * A request is waiting for a target with no ready replica: record it and decide for that target
   * at once rather than at the next tick.
   */
  public synchronized void demand(ScaleTarget target) {
    Target t = targets.get(target);
    if (t == null) {
      return;
    }
    t.window.record(clock.monotonicNanos(), Math.max(1, source.concurrency(target)));
    decide(target);
  }

  private void decide(ScaleTarget target) {
    Target t = targets.get(target);
    long now = clock.monotonicNanos();
    ScalingConfig spec = t.spec;
    ReplicaCount count = scaler.replicas(target);
    MetricSnapshot m =
        new MetricSnapshot(
            t.window.average(now, spec.stableWindow()),
            t.window.average(now, spec.panicWindow()),
            count.ready(),
            count.desired());
    ScaleDecision d = KpaDecider.decide(spec, m, t.state, now);
    if (d.panic() && !t.state.panicking()) {
      log.info(
          "model={} version={} entering panic mode: {}",
          target.model(),
          target.version(),
          d.explain());
    }
    t.state = d.next();
    t.last = d;
    for (DecisionListener l : listeners) {
      l.decided(target, count, d);
    }
    if (d.desired() != count.desired()) {
      log.info(
          "model={} version={} scaling {} -> {}: {}",
          target.model(),
          target.version(),
          count.desired(),
          d.desired(),
          d.explain());
      scaler
          .scale(target, d.desired())
          .whenComplete(
              (v, err) -> {
                if (err != null) {
                  log.warn(
                      "model={} version={} scale to {} failed: {}",
                      target.model(),
                      target.version(),
                      d.desired(),
                      err.toString());
                }
              });
    }
  }

  /** Samples every {@code sampleEvery} and decides every {@code tickEvery} on {@code executor}. */
  public synchronized void start(
      ScheduledExecutorService executor, Duration sampleEvery, Duration tickEvery) {
    schedules.add(
        executor.scheduleAtFixedRate(
            guarded(this::sample), 0, sampleEvery.toNanos(), TimeUnit.NANOSECONDS));
    schedules.add(
        executor.scheduleAtFixedRate(
            guarded(this::tick), tickEvery.toNanos(), tickEvery.toNanos(), TimeUnit.NANOSECONDS));
  }

  private static Runnable guarded(Runnable r) {
    return () -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.error("autoscaler step failed", e);
      }
    };
  }

  @Override
  public synchronized void close() {
    schedules.forEach(s -> s.cancel(false));
    schedules.clear();
  }
}
