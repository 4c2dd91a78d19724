package dev.kairos.multiplexer.sim;

import dev.kairos.multiplexer.arbiter.Arbiter;
import dev.kairos.multiplexer.arbiter.SliceRequest;
import dev.kairos.multiplexer.arbiter.policy.PendingSlice;
import dev.kairos.multiplexer.arbiter.policy.SlicePolicies;
import dev.kairos.multiplexer.arbiter.policy.SlicePolicy;
import dev.kairos.multiplexer.placement.ModelDemand;
import dev.kairos.multiplexer.placement.Placement;
import dev.kairos.multiplexer.profile.ModelProfile;
import dev.kairos.sdk.time.ManualClock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Discrete-event simulation of a fleet of shared devices on a virtual clock. The real {@link
 * Arbiter} and {@link SlicePolicy} code decides every grant; each model's runtime is simulated: it
 * queues requests, asks its device for a slice whenever it has work and no slice outstanding, and
 * on a grant runs a batch of what has queued (up to its largest profiled batch, and within the
 * slice cap the arbiter advises). Batch durations are drawn from a log-normal through the profile's
 * p50 and p99 (seeded), so the simulation is deterministic.
 */
public final class FleetSimulation {
  private final Supplier<SlicePolicy> policies;
  private final boolean admissionControl;
  private final long seed;

  /**
   * @param policies a fresh policy per device
   * @param admissionControl whether arbiters reject slices that would miss their deadline
   */
  public FleetSimulation(Supplier<SlicePolicy> policies, boolean admissionControl, long seed) {
    this.policies = policies;
    this.admissionControl = admissionControl;
    this.seed = seed;
  }

  public FleetResult run(Placement placement, Map<String, long[]> arrivals) {
    return new Run(placement, arrivals).execute();
  }

  private final class Run implements Arbiter.Listener {
    private final ManualClock clock = new ManualClock();
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final Random random = new Random(seed);
    private final Placement placement;
    private final Map<String, long[]> arrivals;
    private final List<Runtime> runtimes = new ArrayList<>();
    private long seq;
    private long requests;
    private long withinSlo;
    private long rejected;
    private long heavyCompleted;
    private long[] lightLatencies = new long[1024];
    private int lightCount;

    Run(Placement placement, Map<String, long[]> arrivals) {
      this.placement = placement;
      this.arrivals = arrivals;
    }

    FleetResult execute() {
      placement
          .assignments()
          .forEach(
              (device, models) -> {
                Arbiter arbiter =
                    new Arbiter(device, policies.get(), clock, admissionControl, this);
                for (ModelDemand m : models) {
                  Runtime rt = new Runtime(m, arbiter);
                  runtimes.add(rt);
                  long[] a = arrivals.getOrDefault(m.name(), new long[0]);
                  if (a.length > 0) {
                    schedule(a[0], EventType.ARRIVAL, rt, null);
                  }
                }
              });
      for (ModelDemand m : placement.unplaced()) {
        requests += arrivals.getOrDefault(m.name(), new long[0]).length;
      }
      while (!events.isEmpty()) {
        Event e = events.poll();
        clock.setNanos(e.at);
        switch (e.type) {
          case ARRIVAL -> e.runtime.arrive();
          case COMPLETE -> e.runtime.complete(e.batch);
          case KICK -> e.runtime.kick();
        }
      }
      long[] light = Arrays.copyOf(lightLatencies, lightCount);
      Arrays.sort(light);
      long p99 =
          light.length == 0 ? 0 : light[(int) Math.min(light.length - 1, light.length * 0.99)];
      return new FleetResult(
          requests,
          withinSlo,
          rejected,
          p99,
          heavyCompleted,
          placement.devicesUsed(),
          placement.modelsPlaced());
    }

    void schedule(long at, EventType type, Runtime rt, long[] batch) {
      events.add(new Event(at, seq++, type, rt, batch));
    }

    @Override
    public void granted(PendingSlice slice, long sliceCapNanos) {
      ((Runtime) slice.owner()).run(slice, sliceCapNanos);
    }

    @Override
    public void rejected(PendingSlice slice, String reason) {
      ((Runtime) slice.owner()).refused();
    }

    void answered(Runtime rt, long arrival) {
      long latency = clock.monotonicNanos() - arrival;
      if (latency <= rt.demand.sloNanos()) {
        withinSlo++;
      }
      if (rt.demand.isLight()) {
        if (lightCount == lightLatencies.length) {
          lightLatencies = Arrays.copyOf(lightLatencies, lightCount * 2);
        }
        lightLatencies[lightCount++] = latency;
      } else {
        heavyCompleted++;
      }
    }

    /** One model's runtime on its device. */
    private final class Runtime {
      final ModelDemand demand;
      final ModelProfile profile;
      final Arbiter arbiter;
      final long[] myArrivals;
      final ArrayDeque<Long> queue = new ArrayDeque<>();
      final double sigma;
      int nextArrival;
      boolean asking;
      long slice = -1;

      Runtime(ModelDemand demand, Arbiter arbiter) {
        this.demand = demand;
        this.profile = demand.profile();
        this.arbiter = arbiter;
        this.myArrivals = arrivals.getOrDefault(demand.name(), new long[0]);
        this.sigma = Math.log(profile.p99Nanos(1) / (double) profile.p50Nanos(1)) / 2.326;
      }

      void arrive() {
        requests++;
        queue.addLast(clock.monotonicNanos());
        nextArrival++;
        if (nextArrival < myArrivals.length) {
          schedule(myArrivals[nextArrival], EventType.ARRIVAL, this, null);
        }
        kick();
      }

      void kick() {
        if (asking || queue.isEmpty()) {
          return;
        }
        asking = true;
        int b = Math.min(queue.size(), profile.maxBatchSize());
        long deadline = queue.peekFirst() + demand.sloNanos();
        arbiter.submit(
            new SliceRequest(
                demand.name(),
                profile.p50Nanos(b),
                demand.isLight() ? SlicePolicies.LIGHT_PRIORITY : SlicePolicies.HEAVY_PRIORITY,
                deadline),
            this);
      }

      void run(PendingSlice granted, long capNanos) {
        slice = granted.id();
        int b = Math.min(queue.size(), profile.maxBatchSize());
        if (capNanos != Long.MAX_VALUE) {
          b = Math.min(b, profile.largestBatchWithin(capNanos));
        }
        long[] batch = new long[b];
        for (int i = 0; i < b; i++) {
          batch[i] = queue.pollFirst();
        }
        double z = random.nextGaussian();
        long p50 = profile.p50Nanos(Math.max(1, b));
        long duration = (long) Math.min(p50 * Math.exp(sigma * z), 3.0 * profile.p99Nanos(b));
        schedule(clock.monotonicNanos() + Math.max(1, duration), EventType.COMPLETE, this, batch);
      }

      void complete(long[] batch) {
        for (long arrival : batch) {
          answered(this, arrival);
        }
        asking = false;
        long id = slice;
        slice = -1;
        arbiter.release(id);
        kick();
      }

      void refused() {
        // The oldest request cannot make its deadline: answer it 503, and any others that cannot.
        long now = clock.monotonicNanos();
        long fastest = profile.p50Nanos(1);
        boolean first = true;
        while (!queue.isEmpty()
            && (first || queue.peekFirst() + demand.sloNanos() < now + fastest)) {
          queue.pollFirst();
          rejected++;
          first = false;
        }
        asking = false;
        schedule(now, EventType.KICK, this, null);
      }
    }
  }

  private enum EventType {
    ARRIVAL,
    COMPLETE,
    KICK
  }

  private record Event(long at, long seq, EventType type, Run.Runtime runtime, long[] batch)
      implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
