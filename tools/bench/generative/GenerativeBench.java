import dev.kairos.generative.FinishReason;
import dev.kairos.generative.GenerationException;
import dev.kairos.generative.GenerationRequest;
import dev.kairos.generative.GenerativeModel;
import dev.kairos.generative.StepGate;
import dev.kairos.generative.TokenSink;
import dev.kairos.generative.sample.SamplingParams;
import dev.kairos.sdk.model.GenerationConfig;
import dev.kairos.sdk.time.Clock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The generative engine's benchmarks, in process, on the GPT-2-small-sized model. Each compares
 * its two sides interleaved, round after round, in one JVM.
 *
 * <pre>
 * java -cp 'cli/target/lib/*:CLASSES' GenerativeBench engine MODEL.onnx ROUNDS
 * java -cp ... GenerativeBench ttft MODEL.onnx ROUNDS
 * java -cp ... GenerativeBench prefix MODEL.onnx ROUNDS
 * java -cp ... GenerativeBench replay MODEL.onnx TRACE.csv ROUNDS N PROMPT_DIV OUTPUT_DIV RATE CAP SLO_MS
 * </pre>
 */
public class GenerativeBench {
  static final int THREADS = Runtime.getRuntime().availableProcessors();
  static final int BLOCK = 16;

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "engine" -> engine(args[1], Integer.parseInt(args[2]));
      case "ttft" -> ttft(args[1], Integer.parseInt(args[2]));
      case "prefix" -> prefix(args[1], Integer.parseInt(args[2]));
      case "replay" -> Replay.main(Arrays.copyOfRange(args, 1, args.length));
      default -> throw new IllegalArgumentException("unknown bench " + args[0]);
    }
    System.exit(0);
  }

  static GenerativeModel load(String onnx, int maxRunning, int prefillChunk, long kvBytes) {
    GenerationConfig g =
        new GenerationConfig("gpt2", 1024, BLOCK, kvBytes, maxRunning, 100_000, prefillChunk, "plain");
    return GenerativeModel.load("bench", Path.of(onnx), g, THREADS, Clock.system());
  }

  static int[] randomPrompt(Random r, int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = 256 + r.nextInt(50_000);
    }
    return p;
  }

  static GenerationRequest request(int[] prompt, int maxTokens) {
    return new GenerationRequest(
        prompt, maxTokens, SamplingParams.GREEDY, List.of(), true, Long.MAX_VALUE);
  }

  /** Token arrival times of one sequence, as its sink hears them. */
  static class Timed implements TokenSink {
    final long submitted = System.nanoTime();
    final long[] at;
    int n;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    Timed(int capacity) {
      at = new long[capacity];
    }

    @Override
    public void onText(String delta, int token) {
      if (token >= 0 && n < at.length) {
        at[n++] = System.nanoTime();
      }
    }

    @Override
    public void onFinish(FinishReason reason, Usage usage) {
      done.complete(null);
    }

    @Override
    public void onError(GenerationException error, Usage usage) {
      done.completeExceptionally(error);
    }
  }

  // ---------------------------------------------------------------- engine limit

  /**
   * Decode tokens per second at batch 1, 4 and 16: the engine (every sequence submitted at once,
   * max_tokens D, ignore_eos) against the raw loop, both after a prompt of P tokens, timed from the
   * moment every sequence has its first token to the last token. Short slices, alternating sides
   * (and which side goes first), so that a noisy machine hits both alike; each slice is also
   * measured in process CPU time, which other processes on the machine disturb far less than wall
   * time.
   */
  static void engine(String onnx, int rounds) throws Exception {
    int p = 64;
    int d = 17;
    int[] batches = {1, 4, 16};
    int perSeq = (p + d + BLOCK - 1) / BLOCK + 1;
    try (GenerativeModel served = load(onnx, 16, 16 * p, 16L * perSeq * 1_179_648 + (64L << 20));
        RawDecodeLoop raw = new RawDecodeLoop(onnx, 1 + 16 * perSeq, BLOCK, THREADS)) {
      Random r = new Random(7);
      System.out.println("bench=engine prompt=" + p + " decode=" + d + " threads=" + THREADS);
      for (int round = 0; round <= rounds; round++) {
        for (int b : batches) {
          double[] rawRate;
          double[] engineRate;
          if (round % 2 == 0) {
            rawRate = rawDecode(raw, r, b, p, d, perSeq);
            engineRate = servedDecode(served, r, b, p, d);
          } else {
            engineRate = servedDecode(served, r, b, p, d);
            rawRate = rawDecode(raw, r, b, p, d, perSeq);
          }
          if (round > 0) { // round 0 warms both up
            System.out.printf(
                "round=%d batch=%d raw_tok_s=%.2f engine_tok_s=%.2f ratio=%.3f"
                    + " raw_tok_per_cpu_s=%.2f engine_tok_per_cpu_s=%.2f cpu_ratio=%.3f%n",
                round, b, rawRate[0], engineRate[0], engineRate[0] / rawRate[0], rawRate[1],
                engineRate[1], engineRate[1] / rawRate[1]);
          }
        }
      }
    }
  }

  static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  /** {tokens per wall second, tokens per process CPU second} of the decode steps. */
  static double[] rawDecode(RawDecodeLoop raw, Random r, int b, int p, int d, int perSeq)
      throws Exception {
    long[] ids = new long[b * p];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = 256 + r.nextInt(50_000);
    }
    int[] next = raw.step(ids, b, p, 0, perSeq);
    long start = System.nanoTime();
    long cpu = OS.getProcessCpuTime();
    for (int s = 1; s < d; s++) {
      long[] step = new long[b];
      for (int i = 0; i < b; i++) {
        step[i] = next[i];
      }
      next = raw.step(step, b, 1, p + s - 1, perSeq);
    }
    double tokens = b * (d - 1);
    return new double[] {
      tokens / ((System.nanoTime() - start) / 1e9), tokens / ((OS.getProcessCpuTime() - cpu) / 1e9)
    };
  }

  /** A sink that notes when every sequence of a batch has its first token. */
  static final class FirstAll {
    final java.util.concurrent.CountDownLatch latch;
    volatile long cpuAtFirstAll;

    FirstAll(int b) {
      latch = new java.util.concurrent.CountDownLatch(b);
    }

    void first() {
      latch.countDown();
      if (latch.getCount() == 0) {
        cpuAtFirstAll = OS.getProcessCpuTime();
      }
    }
  }

  static double[] servedDecode(GenerativeModel m, Random r, int b, int p, int d) throws Exception {
    List<Timed> seqs = new ArrayList<>();
    FirstAll all = new FirstAll(b);
    for (int i = 0; i < b; i++) {
      Timed t =
          new Timed(d) {
            @Override
            public void onText(String delta, int token) {
              super.onText(delta, token);
              if (n == 1 && token >= 0) {
                all.first();
              }
            }
          };
      seqs.add(t);
      m.engine().submit(request(randomPrompt(r, p), d), t);
    }
    long firstAll = 0;
    long lastAll = 0;
    for (Timed t : seqs) {
      t.done.get(10, TimeUnit.MINUTES);
      firstAll = Math.max(firstAll, t.at[0]);
      lastAll = Math.max(lastAll, t.at[t.n - 1]);
    }
    long cpu = OS.getProcessCpuTime() - all.cpuAtFirstAll;
    // Tokens produced after every sequence was decoding.
    long tokens = 0;
    for (Timed t : seqs) {
      for (int i = 0; i < t.n; i++) {
        if (t.at[i] > firstAll) {
          tokens++;
        }
      }
    }
    return new double[] {tokens / ((lastAll - firstAll) / 1e9), tokens / (cpu / 1e9)};
  }

  // ---------------------------------------------------------------- TTFT

  /**
   * Times each model step as the engine runs it (the step gate wraps exactly the model call), so a
   * request's prefill time is measured in the same run, under the same load, as its TTFT.
   */
  static final class StepClock implements StepGate {
    final List<long[]> steps = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public Pass enter(int sequences, int tokens, long estimatedNanos) {
      long t0 = System.nanoTime();
      return () -> steps.add(new long[] {tokens, System.nanoTime() - t0, sequences, t0});
    }

    long lastNanos() {
      return steps.get(steps.size() - 1)[1];
    }
  }

  static GenerativeModel load(
      String onnx, int maxRunning, int prefillChunk, long kvBytes, StepGate gate) {
    GenerationConfig g =
        new GenerationConfig(
            "gpt2", 1024, BLOCK, kvBytes, maxRunning, 100_000, prefillChunk, "plain");
    return GenerativeModel.load("bench", Path.of(onnx), g, THREADS, Clock.system(), gate);
  }

  static GenerativeModel load(String onnx, int prefillChunk, StepGate gate) {
    GenerationConfig g =
        new GenerationConfig("gpt2", 1024, BLOCK, 256L << 20, 16, 100_000, prefillChunk, "plain");
    return GenerativeModel.load("bench", Path.of(onnx), g, THREADS, Clock.system(), gate);
  }

  /**
   * Time to first token of one request on an idle engine: {wall ms, model step ms, CPU ms, ms from
   * submit to the step's start (the hand-off to the engine's thread and the scheduling)}.
   */
  static double[] ttftOf(GenerativeModel m, StepClock steps, int[] prompt) throws Exception {
    Timed t = new Timed(2);
    long cpu = OS.getProcessCpuTime();
    m.engine().submit(request(prompt, 1), t);
    t.done.get(10, TimeUnit.MINUTES);
    long cpuAfter = OS.getProcessCpuTime();
    long[] step = steps.steps.get(steps.steps.size() - 1);
    return new double[] {
      (t.at[0] - t.submitted) / 1e6,
      steps.lastNanos() / 1e6,
      (cpuAfter - cpu) / 1e6,
      (step[3] - t.submitted) / 1e6
    };
  }

  /**
   * Light load: one request at a time on an idle engine (max_tokens 1). Its time to first token
   * against the engine's own prefill step for it (the model call, timed by the step gate) and,
   * for reference, a raw ONNX Runtime prefill of a prompt of the same length.
   */
  static void ttft(String onnx, int rounds) throws Exception {
    int[] lengths = {64, 256, 512};
    StepClock steps = new StepClock();
    try (GenerativeModel served = load(onnx, 512, steps);
        RawDecodeLoop raw = new RawDecodeLoop(onnx, 1 + 40, BLOCK, THREADS)) {
      Random r = new Random(11);
      System.out.println("bench=ttft threads=" + THREADS);
      for (int round = 0; round <= rounds; round++) {
        for (int p : lengths) {
          long[] ids = new long[p];
          for (int i = 0; i < p; i++) {
            ids[i] = 256 + r.nextInt(50_000);
          }
          long s = System.nanoTime();
          raw.step(ids, 1, p, 0, 40);
          double rawMs = (System.nanoTime() - s) / 1e6;
          double[] t = ttftOf(served, steps, randomPrompt(r, p));
          if (round > 0) {
            System.out.printf(
                "round=%d prompt=%d ttft_ms=%.2f prefill_step_ms=%.2f over_ms=%.2f"
                    + " before_step_ms=%.2f after_step_ms=%.2f raw_prefill_ms=%.2f%n",
                round, p, t[0], t[1], t[0] - t[1], t[3], t[0] - t[1] - t[3], rawMs);
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- prefix cache

  /**
   * Prompts of 512 tokens whose first S tokens are shared: TTFT with the prefix cached (the same
   * prefix served just before) against the cold prompt that put it there. Wanted: the drop at
   * least the shared fraction of the cold prefill.
   */
  static void prefix(String onnx, int rounds) throws Exception {
    int total = 512;
    int[] shared = {256, 448};
    StepClock steps = new StepClock();
    try (GenerativeModel served = load(onnx, 512, steps)) {
      Random r = new Random(13);
      System.out.println("bench=prefix prompt=" + total + " threads=" + THREADS);
      for (int round = 0; round <= rounds; round++) {
        for (int s : shared) {
          int[] prefix = randomPrompt(r, s);
          double[] cold = ttftOf(served, steps, concat(prefix, randomPrompt(r, total - s)));
          double[] warm = ttftOf(served, steps, concat(prefix, randomPrompt(r, total - s)));
          double fraction = (double) s / total;
          if (round > 0) {
            System.out.printf(
                "round=%d shared=%d fraction=%.3f cold_ttft_ms=%.2f warm_ttft_ms=%.2f"
                    + " drop_ms=%.2f needed_ms=%.2f drop_share=%.3f cold_step_ms=%.2f"
                    + " warm_step_ms=%.2f cold_cpu_ms=%.1f warm_cpu_ms=%.1f cpu_drop_share=%.3f%n",
                round, s, fraction, cold[0], warm[0], cold[0] - warm[0], fraction * cold[1],
                (cold[0] - warm[0]) / cold[1], cold[1], warm[1], cold[2], warm[2],
                (cold[2] - warm[2]) / cold[2]);
          }
        }
      }
    }
  }

  static int[] concat(int[] a, int[] b) {
    int[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  static void writeIfAsked(String path, String text) throws Exception {
    if (path != null) {
      Files.writeString(Path.of(path), text);
    }
  }
}
