package dev.kairos.runtime.host;

import dev.kairos.runtime.engine.Engine;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.sdk.model.ModelSignature;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real engine, observed: counts its loads, can hold a model's load at a gate, and adds a chosen
 * number of bytes to a simulated resident set while each model is loaded, so footprints and
 * eviction are exact in tests. Counts each model's runs, and can make them fail.
 */
final class ObservedEngine implements Engine {
  final Engine real;
  final AtomicLong rss = new AtomicLong(100L << 20);
  final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();
  final Map<String, Long> bytesByModel = new ConcurrentHashMap<>();
  final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
  final AtomicInteger running = new AtomicInteger();
  final AtomicInteger mostRunning = new AtomicInteger();
  final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
  final Map<String, RuntimeException> failRuns = new ConcurrentHashMap<>();

  /** A model's runs (counted first) wait at its gate while one is set. */
  final Map<String, CountDownLatch> runGates = new ConcurrentHashMap<>();

  ObservedEngine(Engine real) {
    this.real = real;
  }

  @Override
  public String name() {
    return real.name();
  }

  @Override
  public LoadedModel load(ModelSource source) {
    String model = source.modelName();
    mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
    try {
      loads.computeIfAbsent(model, m -> new AtomicInteger()).incrementAndGet();
      awaitGate(gates.get(model), model);
      LoadedModel loaded = real.load(source);
      long bytes = bytesByModel.getOrDefault(model, 0L);
      rss.addAndGet(bytes);
      return new LoadedModel() {
        @Override
        public ModelSignature signature() {
          return loaded.signature();
        }

        @Override
        public String platform() {
          return loaded.platform();
        }

        @Override
        public InferenceResponse infer(InferenceRequest request) {
          runs.computeIfAbsent(model, m -> new AtomicInteger()).incrementAndGet();
          awaitGate(runGates.get(model), model);
          RuntimeException fail = failRuns.get(model);
          if (fail != null) {
            throw fail;
          }
          return loaded.infer(request);
        }

        @Override
        public List<InferenceResponse> inferBatch(List<InferenceRequest> requests) {
          runs.computeIfAbsent(model, m -> new AtomicInteger()).incrementAndGet();
          awaitGate(runGates.get(model), model);
          return loaded.inferBatch(requests);
        }

        @Override
        public void close() {
          loaded.close();
          rss.addAndGet(-bytes);
        }
      };
    } finally {
      running.decrementAndGet();
    }
  }

  private static void awaitGate(CountDownLatch gate, String model) {
    if (gate == null) {
      return;
    }
    try {
      if (!gate.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("gate for " + model + " never opened");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  int runsOf(String model) {
    AtomicInteger n = runs.get(model);
    return n == null ? 0 : n.get();
  }

  int loadsOf(String model) {
    AtomicInteger n = loads.get(model);
    return n == null ? 0 : n.get();
  }
}
