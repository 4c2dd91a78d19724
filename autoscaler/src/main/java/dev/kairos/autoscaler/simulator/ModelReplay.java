package dev.kairos.autoscaler.simulator;

import dev.kairos.autoscaler.decider.DeciderState;
import dev.kairos.autoscaler.decider.KpaDecider;
import dev.kairos.autoscaler.decider.ScaleDecision;
import dev.kairos.autoscaler.metrics.ConcurrencyWindow;
import dev.kairos.autoscaler.metrics.MetricSnapshot;
import dev.kairos.sdk.model.ScalingConfig;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Replays one model's arrivals on a virtual clock through the same {@link ConcurrencyWindow} and
 * {@link KpaDecider} the live autoscaler uses. Replicas are pooled slots ({@code
 * concurrencyPerReplica} each) fed from one FIFO queue, which is what least-loaded routing plus the
 * activator's queue approximate; a new replica serves after the cold start.
 *
 * <p>With {@link Batching}, a replica has {@link Batching#workers()} slots, each a worker that runs
 * one batch at a time, formed by the runtime batcher's rules from the shared queue (a request joins
 * the batch of whichever replica frees a worker first), and takes what the profile says; the
 * replica concurrency is then only what the autoscaler targets. Without it, a replica has {@code
 * concurrencyPerReplica} slots and a slot serves one request.
 *
 * <p>Events (arrival, completion, replica ready, batch delay over, decider tick) are taken in time
 * order. Concurrency (in service plus waiting) is integrated exactly and recorded once per second,
 * as the gateway's sampler averages it. Ticks are skipped while the model is at zero with nothing
 * waiting, which is where most of a day goes for most functions.
 */
final class ModelReplay {
  private static final long NANOS = 1_000_000_000L;

  private final TraceModel model;
  private final ScalingConfig spec;
  private final SimulationOptions options;
  private final double horizon;
  private final Batching batching;
  private final int maxBatch;
  private final double batchDelay;
  private final int slotsPerReplica;

  // replicas
  private int ready;
  private int starting; // asked for, waiting for the machine or starting on it
  private StartQueue starts;
  private int busy; // slots in use
  private int inService; // requests in those slots
  private double batchDue = Double.POSITIVE_INFINITY;
  private final DoubleHeap completions = new DoubleHeap();
  private final DoubleQueue waitingArrival = new DoubleQueue();
  private final DoubleQueue waitingService = new DoubleQueue();

  // metrics
  private final ConcurrencyWindow window;
  private DeciderState state;
  private double lastT;
  private long second;
  private double area;

  // arrivals
  private TraceModel.Arrivals arrivals;
  private double nextArrival;
  private double nextTick;
  private double fixedService;

  // results
  private long requests;
  private long withinSlo;
  private final LatencyHistogram latencies = new LatencyHistogram();
  private double replicaSeconds;
  private long coldStarts;
  private long coldRequests;
  private int maxReplicas;
  private final long[] requestsPerBucket;
  private final double[] replicaSecondsPerBucket;

  ModelReplay(TraceModel model, ScalingConfig spec, SimulationOptions options, double horizon) {
    this(model, spec, null, options, horizon);
  }

  /**
   * @param batching the model's batching and profile, or null for one request per slot
   */
  ModelReplay(
      TraceModel model,
      ScalingConfig spec,
      Batching batching,
      SimulationOptions options,
      double horizon) {
    this.model = model;
    this.spec = spec;
    this.options = options;
    this.horizon = horizon;
    this.batching = batching;
    this.maxBatch = batching == null ? 1 : batching.config().maxBatchSize();
    this.batchDelay = batching == null ? 0 : batching.config().maxQueueDelay().toNanos() / 1e9;
    this.slotsPerReplica =
        batching == null ? options.latency().concurrencyPerReplica() : batching.workers();
    this.window = new ConcurrencyWindow(spec.stableWindow());
    int buckets = (int) Math.ceil(horizon / options.chartBucketSeconds());
    this.requestsPerBucket = new long[Math.max(1, buckets)];
    this.replicaSecondsPerBucket = new double[Math.max(1, buckets)];
  }

  /** Replays the model alone on a machine of its own. */
  ModelResult run(long seed) {
    begin(seed, new StartQueue(options.latency().machine(), options.latency().coldStartSeconds()));
    while (true) {
      double e = nextEvent();
      double tr = starts.nextReady();
      double t = Math.min(e, tr);
      if (t == Double.POSITIVE_INFINITY || t > horizon) {
        break;
      }
      // a completion at the same instant goes first, then a replica that became ready
      if (tr <= e && tr != nextCompletion()) {
        starts.completeNext(tr);
        replicaReady(tr);
      } else {
        step(t);
      }
    }
    return finish();
  }

  /**
   * Sets the replay at time zero, its starts taken by {@code starts} (the machine, possibly shared
   * with other models' replays).
   */
  void begin(long seed, StartQueue starts) {
    this.starts = starts;
    state = DeciderState.initial(0);
    ready = spec.initialScale();
    maxReplicas = ready;
    arrivals = model.arrivals(new SplittableRandom(seed));
    nextArrival = arrivals.next() ? arrivals.time() : Double.POSITIVE_INFINITY;
    nextTick = replicas() > 0 ? options.tickSeconds() : Double.POSITIVE_INFINITY;
    fixedService = options.latency().serviceTimeSeconds();
  }

  /** When this model's next own event (not a replica becoming ready) happens. */
  double nextEvent() {
    return Math.min(Math.min(nextArrival, nextCompletion()), Math.min(nextTick, batchDue));
  }

  private double nextCompletion() {
    return completions.isEmpty() ? Double.POSITIVE_INFINITY : completions.peek();
  }

  /** Takes this model's event at {@code t}, which is {@link #nextEvent()}. */
  void step(double t) {
    double tc = nextCompletion();
    advanceTo(t);
    if (t == tc) {
      completions.poll();
      busy--;
      inService -= completions.polledWeight();
      admit(t);
    } else if (t == batchDue) {
      admit(t);
    } else if (t == nextArrival) {
      double service = Double.isNaN(fixedService) ? arrivals.serviceTime() : fixedService;
      if (Double.isNaN(service)) {
        service = 0.1;
      }
      arrive(t, service);
      nextArrival = arrivals.next() ? arrivals.time() : Double.POSITIVE_INFINITY;
      if (nextTick == Double.POSITIVE_INFINITY) {
        // demand at zero: the activator pokes the autoscaler at once
        window.record(nanos(t), inSystem());
        decide(t);
        nextTick = t + options.tickSeconds();
      }
    } else {
      decide(t);
      boolean idle = replicas() == 0 && inSystem() == 0;
      nextTick = idle ? Double.POSITIVE_INFINITY : t + options.tickSeconds();
    }
  }

  /** One of this model's starts ended at {@code t}: the replica serves. */
  void replicaReady(double t) {
    advanceTo(t);
    starting--;
    ready++;
    admit(t);
  }

  /** Closes the replay at the horizon. */
  ModelResult finish() {
    advanceTo(horizon);
    return new ModelResult(
        model.name(),
        requests,
        withinSlo,
        latencies,
        replicaSeconds,
        coldStarts,
        coldRequests,
        maxReplicas,
        requestsPerBucket,
        replicaSecondsPerBucket);
  }

  private int replicas() {
    return ready + starting;
  }

  private int inSystem() {
    return inService + waitingArrival.size();
  }

  private void arrive(double t, double service) {
    requests++;
    int b = (int) (t / options.chartBucketSeconds());
    if (b < requestsPerBucket.length) {
      requestsPerBucket[b]++;
    }
    if (ready == 0) {
      coldRequests++;
    }
    waitingArrival.addLast(t);
    waitingService.addLast(service);
    admit(t);
  }

  /** Starts every batch that is due on a free slot, as the runtime's batcher would. */
  private void admit(double t) {
    batchDue = Double.POSITIVE_INFINITY;
    int capacity = ready * slotsPerReplica;
    while (busy < capacity && !waitingArrival.isEmpty()) {
      int rows = Math.min(waitingArrival.size(), maxBatch);
      boolean due =
          rows >= maxBatch
              || batching.config().preferredBatchSizes().contains(rows)
              || waitingArrival.peekFirst() + batchDelay <= t + 1e-12;
      if (!due) {
        batchDue = waitingArrival.peekFirst() + batchDelay;
        return;
      }
      start(t, rows);
    }
  }

  private void start(double now, int rows) {
    busy++;
    inService += rows;
    double batchService = batching == null ? Double.NaN : batching.latencies().seconds(rows);
    double end = now;
    for (int k = 0; k < rows; k++) {
      double arrival = waitingArrival.pollFirst();
      double own = waitingService.pollFirst();
      double service = batching == null ? own : batchService;
      double wait = now - arrival;
      double counted = options.sloCountsService() ? wait + service : wait;
      if (counted <= options.sloWaitSeconds() + 1e-9) {
        withinSlo++;
      }
      latencies.record(wait + service);
      end = Math.max(end, now + service);
    }
    completions.add(end, rows);
  }

  private void decide(double t) {
    long now = nanos(t);
    int current = replicas();
    MetricSnapshot m =
        new MetricSnapshot(
            window.average(now, spec.stableWindow()),
            window.average(now, spec.panicWindow()),
            ready,
            current);
    ScaleDecision d = KpaDecider.decide(spec, m, state, now);
    state = d.next();
    int want = d.desired();
    if (want > current) {
      if (current == 0) {
        coldStarts++;
      }
      for (int i = current; i < want; i++) {
        starting++;
        starts.request(this, t);
      }
      maxReplicas = Math.max(maxReplicas, want);
    } else if (want < current) {
      int drop = current - want;
      int withdrawn = drop > 0 && starting > 0 ? starts.cancel(this, drop, t) : 0;
      starting -= withdrawn;
      drop -= withdrawn;
      ready -= drop; // in-flight requests on removed replicas finish (drain)
      starts.stopped(drop, t);
    }
  }

  /** Integrates concurrency into per-second samples and replicas into replica-seconds. */
  private void advanceTo(double t) {
    if (t <= lastT) {
      return;
    }
    int r = replicas();
    if (r > 0) {
      replicaSeconds += r * (t - lastT);
      int size = options.chartBucketSeconds();
      double from = lastT;
      while (from < t) {
        int b = (int) (from / size);
        double end = Math.min(t, (b + 1) * (double) size);
        if (b < replicaSecondsPerBucket.length) {
          replicaSecondsPerBucket[b] += r * (end - from);
        }
        from = end;
      }
    }
    int c = inSystem();
    long target = (long) Math.floor(t);
    while (second < target) {
      area += c * ((second + 1) - Math.max(lastT, second));
      if (area > 0) {
        window.record(second * NANOS, area); // a second without a sample reads as idle
      }
      area = 0;
      second++;
      if (c == 0) {
        second = target;
      }
    }
    area += c * (t - Math.max(lastT, second));
    lastT = t;
  }

  private static long nanos(double seconds) {
    return (long) (seconds * NANOS);
  }

  /** A growable ring of doubles. */
  static final class DoubleQueue {
    private double[] a = new double[16];
    private int head;
    private int size;

    boolean isEmpty() {
      return size == 0;
    }

    int size() {
      return size;
    }

    void addLast(double v) {
      if (size == a.length) {
        double[] b = new double[a.length * 2];
        for (int i = 0; i < size; i++) {
          b[i] = a[(head + i) % a.length];
        }
        a = b;
        head = 0;
      }
      a[(head + size++) % a.length] = v;
    }

    double peekFirst() {
      return a[head];
    }

    double pollFirst() {
      double v = a[head];
      head = (head + 1) % a.length;
      size--;
      return v;
    }

    double pollLast() {
      size--;
      return a[(head + size) % a.length];
    }
  }

  /** A binary min-heap of doubles, each with a weight. */
  static final class DoubleHeap {
    private double[] a = new double[16];
    private int[] w = new int[16];
    private int size;
    private int polledWeight;

    boolean isEmpty() {
      return size == 0;
    }

    double peek() {
      return a[0];
    }

    void add(double v, int weight) {
      if (size == a.length) {
        a = Arrays.copyOf(a, size * 2);
        w = Arrays.copyOf(w, size * 2);
      }
      int i = size++;
      while (i > 0) {
        int p = (i - 1) >>> 1;
        if (a[p] <= v) {
          break;
        }
        a[i] = a[p];
        w[i] = w[p];
        i = p;
      }
      a[i] = v;
      w[i] = weight;
    }

    /** The weight of the value {@link #poll} took last. */
    int polledWeight() {
      return polledWeight;
    }

    double poll() {
      double top = a[0];
      polledWeight = w[0];
      int vw = w[size - 1];
      double v = a[--size];
      int i = 0;
      while (true) {
        int l = 2 * i + 1;
        if (l >= size) {
          break;
        }
        int c = l + 1 < size && a[l + 1] < a[l] ? l + 1 : l;
        if (a[c] >= v) {
          break;
        }
        a[i] = a[c];
        w[i] = w[c];
        i = c;
      }
      a[i] = v;
      w[i] = vw;
      return top;
    }
  }
}
