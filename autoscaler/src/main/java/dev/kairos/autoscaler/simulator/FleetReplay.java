package dev.kairos.autoscaler.simulator;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Replays every model of a trace together on one clock, for a {@link Machine} whose starts and
 * memory the models share: a model's start may wait behind another's, or slow it down.
 */
final class FleetReplay {
  private FleetReplay() {}

  /** A model's next own event, valid while {@code version} is the model's latest. */
  private record Due(double t, int model, long version) {}

  static List<ModelResult> run(
      Trace trace, List<ModelReplay> replays, long[] seeds, SimulationOptions options) {
    double horizon = trace.durationSeconds();
    StartQueue machine =
        new StartQueue(options.latency().machine(), options.latency().coldStartSeconds());
    long[] versions = new long[replays.size()];
    Map<ModelReplay, Integer> index = new IdentityHashMap<>();
    PriorityQueue<Due> due =
        new PriorityQueue<>(
            (a, b) -> a.t() != b.t() ? Double.compare(a.t(), b.t()) : a.model() - b.model());
    for (int i = 0; i < replays.size(); i++) {
      replays.get(i).begin(seeds[i], machine);
      index.put(replays.get(i), i);
      due.add(new Due(replays.get(i).nextEvent(), i, 0));
    }
    while (true) {
      while (!due.isEmpty() && due.peek().version() != versions[due.peek().model()]) {
        due.poll(); // superseded
      }
      double te = due.isEmpty() ? Double.POSITIVE_INFINITY : due.peek().t();
      double tr = machine.nextReady();
      double t = Math.min(te, tr);
      if (t == Double.POSITIVE_INFINITY || t > horizon) {
        break;
      }
      int touched;
      if (tr <= te) {
        ModelReplay owner = machine.completeNext(tr);
        touched = index.get(owner);
        owner.replicaReady(tr);
      } else {
        touched = due.poll().model();
        replays.get(touched).step(t);
      }
      // a step may change this model's next event (and a start may have made another's ready
      // sooner, which the machine's own clock holds)
      versions[touched]++;
      due.add(new Due(replays.get(touched).nextEvent(), touched, versions[touched]));
    }
    List<ModelResult> out = new ArrayList<>(replays.size());
    for (ModelReplay r : replays) {
      out.add(r.finish());
    }
    return out;
  }
}
