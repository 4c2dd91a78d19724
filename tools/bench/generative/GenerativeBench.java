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
      case "layout" -> layout(args[1], Integer.parseInt(args[2]));
      case "profile" -> profile(args[1], Integer.parseInt(args[2]), args[3]);
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
    StepClock steps = new StepClock();
    try (GenerativeModel served =
            load(onnx, 16, 16 * p, 16L * perSeq * 1_179_648 + (64L << 20), steps);
        RawDecodeLoop raw = new RawDecodeLoop(onnx, 1 + 16 * perSeq, BLOCK, THREADS)) {
      Random r = new Random(7);
      System.out.println("bench=engine prompt=" + p + " decode=" + d + " threads=" + THREADS);
      // Three untimed rounds first: the JIT's compilers were seen spending a quarter of a second of
      // CPU inside a timed batch-16 window as late as the third round after one warm-up round.
      int warmup = 3;
      for (int round = 1 - warmup; round <= rounds; round++) {
        for (int b : batches) {
          double[] rawRate;
          double[] engineRate;
          if (Math.floorMod(round, 2) == 0) {
            rawRate = rawDecode(raw, r, b, p, d, perSeq);
            engineRate = servedDecode(served, steps, r, b, p, d);
          } else {
            engineRate = servedDecode(served, steps, r, b, p, d);
            rawRate = rawDecode(raw, r, b, p, d, perSeq);
          }
          if (round > 0) {
            System.out.printf(
                "round=%d batch=%d raw_tok_s=%.2f engine_tok_s=%.2f ratio=%.3f"
                    + " raw_tok_per_cpu_s=%.2f engine_tok_per_cpu_s=%.2f cpu_ratio=%.3f"
                    + " raw_call_ms=%.2f engine_call_ms=%.2f engine_steps=%d engine_rows=%s"
                    + " engine_in_calls=%.3f raw_cpu_ms=%s engine_cpu_ms=%s%n",
                round, b, rawRate[0], engineRate[0], engineRate[0] / rawRate[0], rawRate[1],
                engineRate[1], engineRate[1] / rawRate[1], rawRate[2], engineRate[2],
                (long) engineRate[3], rowsOf(engineRate), engineRate[4], lastRawSplit,
                lastEngineSplit);
          }
        }
      }
    }
  }

  /**
   * The raw loop at batch 16 with each sequence's blocks contiguous against the same loop with the
   * pool's blocks shuffled (as the engine's pool hands them out after a while), alternating.
   */
  static void layout(String onnx, int rounds) throws Exception {
    int p = 64;
    int d = 17;
    int b = 16;
    int perSeq = (p + d + BLOCK - 1) / BLOCK + 1;
    int blocks = 1 + 16 * perSeq + 56;
    int[] shuffled = new int[blocks];
    List<Integer> ids = new ArrayList<>();
    for (int i = 1; i < blocks; i++) {
      ids.add(i);
    }
    java.util.Collections.shuffle(ids, new Random(5));
    for (int i = 1; i < blocks; i++) {
      shuffled[i] = ids.get(i - 1);
    }
    try (RawDecodeLoop raw = new RawDecodeLoop(onnx, blocks, BLOCK, THREADS)) {
      Random r = new Random(7);
      System.out.println("bench=layout batch=" + b + " pool_blocks=" + blocks);
      for (int round = -2; round <= rounds; round++) {
        double[][] rate = new double[2][];
        for (int k = 0; k < 2; k++) {
          int side = Math.floorMod(round, 2) == 0 ? k : 1 - k;
          raw.placement = side == 0 ? null : shuffled;
          rate[side] = rawDecode(raw, r, b, p, d, perSeq);
        }
        if (round > 0) {
          System.out.printf(
              "round=%d contiguous_tok_s=%.2f scattered_tok_s=%.2f ratio=%.3f"
                  + " contiguous_call_ms=%.2f scattered_call_ms=%.2f cpu_ratio=%.3f%n",
              round, rate[0][0], rate[1][0], rate[1][0] / rate[0][0], rate[0][2], rate[1][2],
              rate[1][1] / rate[0][1]);
        }
      }
    }
  }

  static String lastRawSplit = "";
  static String lastEngineSplit = "";

  static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  /**
   * CPU time of this process's threads by kind, in ms, from /proc/self/task: the JIT's compiler
   * threads, the collector's, and the rest (the engine's or caller's thread and ONNX Runtime's
   * workers), so a slow round can be blamed on one of them.
   */
  static long[] threadCpu() {
    long[] out = new long[3];
    java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
    if (tasks == null) {
      return out;
    }
    for (java.io.File t : tasks) {
      try {
        String comm = Files.readString(t.toPath().resolve("comm")).trim();
        String stat = Files.readString(t.toPath().resolve("stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
        int kind = comm.contains("Compiler") ? 0 : comm.startsWith("G1") || comm.startsWith("GC") ? 1 : 2;
        out[kind] += ticks * 10; // 100 ticks per second
      } catch (Exception gone) {
        // a thread that ended while read
      }
    }
    return out;
  }

  static String cpuSplit(long[] before, long[] after) {
    return "jit:" + (after[0] - before[0]) + ",gc:" + (after[1] - before[1]) + ",rest:"
        + (after[2] - before[2]);
  }

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
    long[] threads = threadCpu();
    raw.runNanos = 0;
    for (int s = 1; s < d; s++) {
      long[] step = new long[b];
      for (int i = 0; i < b; i++) {
        step[i] = next[i];
      }
      next = raw.step(step, b, 1, p + s - 1, perSeq);
    }
    double tokens = b * (d - 1);
    double[] rate = {
      tokens / ((System.nanoTime() - start) / 1e9),
      tokens / ((OS.getProcessCpuTime() - cpu) / 1e9),
      raw.runNanos / 1e6 / (d - 1),
      0
    };
    lastRawSplit = cpuSplit(threads, threadCpu());
    return rate;
  }

  /** A sink that notes when every sequence of a batch has its first token. */
  static final class FirstAll {
    final java.util.concurrent.CountDownLatch latch;
    volatile long cpuAtFirstAll;
    volatile long[] threadsAtFirstAll;

    FirstAll(int b) {
      latch = new java.util.concurrent.CountDownLatch(b);
    }

    void first() {
      latch.countDown();
      if (latch.getCount() == 0) {
        cpuAtFirstAll = OS.getProcessCpuTime();
        threadsAtFirstAll = threadCpu();
      }
    }
  }

  /** The rows of each engine step in the timed window, as "rows x steps" pairs. */
  static String rowsOf(double[] rate) {
    StringBuilder out = new StringBuilder();
    for (int i = 5; i < rate.length; i += 2) {
      out.append(out.length() == 0 ? "" : ",").append((long) rate[i]).append('x').append((long) rate[i + 1]);
    }
    return out.toString();
  }

  /**
   * {tokens per wall second, tokens per process CPU second, mean model call ms in the window,
   * steps in the window, share of the window inside model calls, then (rows, steps) pairs}.
   */
  static double[] servedDecode(GenerativeModel m, StepClock steps, Random r, int b, int p, int d)
      throws Exception {
    int stepsBefore = steps.steps.size();
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
    lastEngineSplit = cpuSplit(all.threadsAtFirstAll, threadCpu());
    // Tokens produced after every sequence was decoding.
    long tokens = 0;
    for (Timed t : seqs) {
      for (int i = 0; i < t.n; i++) {
        if (t.at[i] > firstAll) {
          tokens++;
        }
      }
    }
    // The model calls that started inside the timed window.
    long callNanos = 0;
    int calls = 0;
    java.util.TreeMap<Long, Integer> rows = new java.util.TreeMap<>();
    List<long[]> taken;
    synchronized (steps.steps) {
      taken = new ArrayList<>(steps.steps.subList(stepsBefore, steps.steps.size()));
    }
    for (long[] s : taken) {
      if (s[3] >= firstAll && s[3] < lastAll) {
        callNanos += s[1];
        calls++;
        rows.merge(s[2], 1, Integer::sum);
      }
    }
    double[] out = new double[5 + 2 * rows.size()];
    out[0] = tokens / ((lastAll - firstAll) / 1e9);
    out[1] = tokens / (cpu / 1e9);
    out[2] = calls == 0 ? 0 : callNanos / 1e6 / calls;
    out[3] = calls;
    out[4] = (double) callNanos / (lastAll - firstAll);
    int i = 5;
    for (var e : rows.entrySet()) {
      out[i++] = e.getKey();
      out[i++] = e.getValue();
    }
    return out;
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

  /**
   * ONNX Runtime's profile of the prefix bench's model calls, on a raw session with the engine's
   * options: in order, REPEAT runs each of the warm 64-token call after 448 cached tokens, the
   * cold 512-token call, and a batch-1 decode step after 448 tokens. Writes the profile's JSON to
   * OUT (profile.py splits it by run and operator).
   */
  static void profile(String onnx, int repeat, String out) throws Exception {
    int perSeq = 1024 / BLOCK;
    Random r = new Random(17);
    try (RawDecodeLoop raw = new RawDecodeLoop(onnx, 1 + perSeq, BLOCK, THREADS, out)) {
      long[] past = new long[448];
      for (int i = 0; i < past.length; i++) {
        past[i] = 256 + r.nextInt(50_000);
      }
      raw.step(past, 1, 448, 0, perSeq); // fills blocks 1..28 (and warms up)
      long[] tail = Arrays.copyOf(past, 64);
      long[] cold = new long[512];
      long[] one = {past[0]};
      for (int i = 0; i < 512; i++) {
        cold[i] = 256 + r.nextInt(50_000);
      }
      raw.step(tail, 1, 64, 448, perSeq); // warm-up of the other shapes
      raw.step(cold, 1, 512, 0, perSeq);
      raw.step(one, 1, 1, 448, perSeq);
      for (int i = 0; i < repeat; i++) {
        raw.step(tail, 1, 64, 448, perSeq);
      }
      for (int i = 0; i < repeat; i++) {
        raw.step(cold, 1, 512, 0, perSeq);
      }
      for (int i = 0; i < repeat; i++) {
        raw.step(one, 1, 1, 448, perSeq);
      }
      String file = raw.session.endProfiling();
      Files.move(Path.of(file), Path.of(out + ".json"));
      System.out.println("profile=" + out + ".json runs=" + (4 + 3 * repeat));
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
