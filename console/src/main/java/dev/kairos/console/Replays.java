package dev.kairos.console;

import dev.kairos.autoscaler.simulator.LatencyModel;
import dev.kairos.autoscaler.simulator.ModelResult;
import dev.kairos.autoscaler.simulator.SimulationOptions;
import dev.kairos.autoscaler.simulator.SimulationResult;
import dev.kairos.autoscaler.simulator.Simulator;
import dev.kairos.autoscaler.simulator.Trace;
import dev.kairos.autoscaler.tuner.Budget;
import dev.kairos.autoscaler.tuner.Evaluation;
import dev.kairos.autoscaler.tuner.Goal;
import dev.kairos.autoscaler.tuner.ModelRecommendation;
import dev.kairos.autoscaler.tuner.Objective;
import dev.kairos.autoscaler.tuner.SearchSpace;
import dev.kairos.autoscaler.tuner.Tuner;
import dev.kairos.autoscaler.tuner.TuningResult;
import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.model.ScalingConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * Replays traces through the autoscaler's simulator (the live decider on a virtual clock) for the
 * console: the tune preview (the last hour of a model's recorded arrivals under the knobs in force
 * and the proposed ones), the tune search (the same hour, {@code kairos tune}'s search) and the
 * Simulate page (any trace, one or two knob settings).
 */
public final class Replays {
  /** A request meets its SLO when it waits at most this long before its service begins. */
  static final double SLO_WAIT_SECONDS = 0.1;

  private final int parallelism;

  public Replays(int parallelism) {
    this.parallelism = parallelism;
  }

  /**
   * Replays one model's recorded arrivals (per second, oldest first) under two settings.
   *
   * @param serviceSeconds how long a request takes on a replica (the model's recent median)
   * @param replicaConcurrency requests one replica serves at once
   * @param coldStartSeconds from asking for a replica to its first request
   */
  public JsonObject preview(
      String model,
      int[] perSecond,
      Map<String, ScalingConfig> settings,
      double serviceSeconds,
      int replicaConcurrency,
      double coldStartSeconds) {
    Trace trace =
        new Trace(
            List.of(new RecordedArrivals(model, perSecond)),
            perSecond.length,
            "recorded arrivals of " + model);
    return run(
        trace,
        settings,
        new LatencyModel(serviceSeconds, replicaConcurrency, coldStartSeconds),
        bucketFor(perSecond.length));
  }

  /** Replays a trace under each setting, side by side. */
  public JsonObject run(
      Trace trace, Map<String, ScalingConfig> settings, LatencyModel latency, int bucketSeconds) {
    SimulationOptions options =
        new SimulationOptions(latency, SLO_WAIT_SECONDS, 2.0, bucketSeconds, 1);
    Simulator simulator = new Simulator(options, parallelism);
    JsonArray runs = new JsonArray();
    long[] requests = null;
    for (Map.Entry<String, ScalingConfig> e : settings.entrySet()) {
      SimulationResult r = simulator.run(trace, e.getKey(), e.getValue());
      ModelResult all = r.overall();
      requests = all.requestsPerBucket();
      runs.add(summary(e.getKey(), e.getValue(), all, bucketSeconds));
    }
    JsonArray perBucket = new JsonArray();
    if (requests != null) {
      for (long n : requests) {
        perBucket.add(n / (double) bucketSeconds);
      }
    }
    return new JsonObject()
        .put("trace", trace.source())
        .put("models", trace.models().size())
        .put("durationSeconds", trace.durationSeconds())
        .put("bucketSeconds", bucketSeconds)
        .put("requestRate", perBucket)
        .put("runs", runs);
  }

  private static JsonObject summary(
      String label, ScalingConfig spec, ModelResult all, int bucketSeconds) {
    JsonArray replicas = new JsonArray();
    double peak = 0;
    for (double rs : all.replicaSecondsPerBucket()) {
      double avg = rs / bucketSeconds;
      peak = Math.max(peak, avg);
      replicas.add(Math.round(avg * 100) / 100.0);
    }
    return new JsonObject()
        .put("label", label)
        .put("knobs", new JsonObject(spec.knobs()))
        .put("requests", all.requests())
        .put("sloAttainment", all.sloAttainment())
        .put("p50Ms", all.p50() * 1000)
        .put("p99Ms", all.p99() * 1000)
        .put("replicaSeconds", all.replicaSeconds())
        .put("coldStarts", all.coldStarts())
        .put("coldRequests", all.coldRequests())
        .put("peakReplicas", peak)
        .put("replicas", replicas);
  }

  /**
   * Searches one model's scaling knobs on its recorded arrivals ({@code kairos tune}'s search): the
   * cheapest setting, in replica-seconds, whose SLO attainment reaches {@code attainment}.
   *
   * @param budget replays of the recorded hour the search may spend
   */
  public JsonObject search(
      String model,
      int[] perSecond,
      ScalingConfig current,
      double serviceSeconds,
      int replicaConcurrency,
      double coldStartSeconds,
      double attainment,
      double budget) {
    Trace trace =
        new Trace(
            List.of(new RecordedArrivals(model, perSecond)),
            perSecond.length,
            "recorded arrivals of " + model);
    SimulationOptions options =
        new SimulationOptions(
            new LatencyModel(serviceSeconds, replicaConcurrency, coldStartSeconds),
            SLO_WAIT_SECONDS,
            2.0,
            bucketFor(perSecond.length),
            1);
    SearchSpace space =
        new SearchSpace(current, BatchingConfig.DEFAULT, SearchSpace.DEFAULT_SCALING);
    TuningResult r =
        new Tuner(
                options,
                new Goal(Objective.REPLICA_SECONDS, attainment),
                new Budget(budget, null),
                "evolution",
                1,
                1)
            .tune(trace, m -> space, (done, total, rec, replays) -> {});
    ModelRecommendation m = r.models().get(0);
    JsonArray frontier = new JsonArray();
    m.frontier(Objective.REPLICA_SECONDS).forEach(e -> frontier.add(point(e)));
    JsonArray evaluated = new JsonArray();
    m.evaluated().forEach(e -> evaluated.add(point(e)));
    return new JsonObject()
        .put("target", m.target())
        .put("reachable", m.reachable())
        .put("replays", m.replays())
        .put("current", point(m.current()))
        .put(
            "recommended", point(m.best()).put("knobs", new JsonObject(m.best().setting().knobs())))
        .put("frontier", frontier)
        .put("evaluated", evaluated);
  }

  private static JsonObject point(Evaluation e) {
    return new JsonObject()
        .put("requests", e.requests())
        .put("sloAttainment", e.attainment())
        .put("replicaSeconds", e.replicaSeconds())
        .put("coldStarts", e.coldStarts());
  }

  /** About 120 points on a chart, in whole seconds. */
  static int bucketFor(double seconds) {
    return (int) Math.max(1, Math.ceil(seconds / 120));
  }
}
