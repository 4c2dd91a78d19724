import dev.kairos.generative.FinishReason;
import dev.kairos.generative.GenerationException;
import dev.kairos.generative.GenerationRequest;
import dev.kairos.generative.GenerativeModel;
import dev.kairos.generative.TokenSink;
import dev.kairos.generative.sample.SamplingParams;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Goodput under a replay of the Azure LLM conversation trace, three ways on the same engine
 * classes: continuous batching (the engine as served), static batching (the bench groups the
 * requests that have arrived, up to the same cap, and runs the group to its longest output before
 * taking the next) and one request at a time (the engine with a running batch of one).
 *
 * <p>Arguments: MODEL.onnx TRACE.csv ROUNDS N PROMPT_DIV OUTPUT_DIV RATE CAP SLO_MS CHUNK. The
 * first N requests of the trace; prompt and output lengths divided by PROMPT_DIV and OUTPUT_DIV
 * (rounded up, prompt + output within the context); arrival times compressed so the mean rate is
 * RATE requests per second. Goodput: requests whose time per output token is within SLO_MS,
 * divided by the time from the first arrival to the last completion.
 */
public class Replay {
  record Req(long offsetNanos, int prompt, int output) {}

  static final class Rec implements TokenSink {
    final int own;
    long first = -1;
    long last = -1;
    int seen;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    Rec(int own) {
      this.own = own;
    }

    @Override
    public void onText(String delta, int token) {
      if (token < 0) {
        return;
      }
      long now = System.nanoTime();
      seen++;
      if (seen == 1) {
        first = now;
      }
      if (seen == own) {
        last = now;
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

  public static void main(String[] a) throws Exception {
    String onnx = a[0];
    Path trace = Path.of(a[1]);
    int rounds = Integer.parseInt(a[2]);
    int n = Integer.parseInt(a[3]);
    int promptDiv = Integer.parseInt(a[4]);
    int outputDiv = Integer.parseInt(a[5]);
    double rate = Double.parseDouble(a[6]);
    int cap = Integer.parseInt(a[7]);
    double[] slos = Arrays.stream(a[8].split(",")).mapToDouble(Double::parseDouble).toArray();
    int chunk = Integer.parseInt(a[9]);
    List<Req> reqs = load(trace, n, promptDiv, outputDiv, rate);
    int sumP = reqs.stream().mapToInt(Req::prompt).sum();
    int sumO = reqs.stream().mapToInt(Req::output).sum();
    System.out.printf(
        "bench=replay n=%d prompt_div=%d output_div=%d rate=%.2f cap=%d slo_ms=%s chunk=%d"
            + " mean_prompt=%.1f mean_output=%.1f span_s=%.1f%n",
        n, promptDiv, outputDiv, rate, cap, a[8], chunk, (double) sumP / n, (double) sumO / n,
        reqs.get(reqs.size() - 1).offsetNanos() / 1e9);
    long kv = 512L << 20;
    try (GenerativeModel continuous = GenerativeBench.load(onnx, cap, chunk, kv, CLOCKS[0]);
        GenerativeModel grouped = GenerativeBench.load(onnx, cap, 1 << 20, kv, CLOCKS[1]);
        GenerativeModel serial = GenerativeBench.load(onnx, 1, 1024, kv, CLOCKS[2])) {
      // Warm each engine's shapes once.
      for (GenerativeModel m : List.of(continuous, grouped, serial)) {
        Rec r = new Rec(4);
        m.engine().submit(GenerativeBench.request(new int[64], 4), r);
        r.done.get();
      }
      for (int round = 1; round <= rounds; round++) {
        CLOCKS[0].steps.clear();
        report(round, "continuous", reqs, slos, runEach(continuous, reqs), CLOCKS[0]);
        CLOCKS[1].steps.clear();
        report(round, "static", reqs, slos, runStatic(grouped, reqs, cap), CLOCKS[1]);
        CLOCKS[2].steps.clear();
        report(round, "one-at-a-time", reqs, slos, runEach(serial, reqs), CLOCKS[2]);
      }
    }
  }

  static List<Req> load(Path trace, int n, int promptDiv, int outputDiv, double rate)
      throws Exception {
    DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSS");
    List<String> lines = Files.readAllLines(trace);
    List<long[]> rows = new ArrayList<>();
    for (String line : lines.subList(1, Math.min(lines.size(), n + 1))) {
      String[] c = line.split(",");
      LocalDateTime when = LocalDateTime.parse(c[0], f);
      long t = when.toEpochSecond(java.time.ZoneOffset.UTC) * 1_000_000_000L + when.getNano();
      rows.add(new long[] {t, Long.parseLong(c[1]), Long.parseLong(c[2])});
    }
    long t0 = rows.get(0)[0];
    double span = (rows.get(rows.size() - 1)[0] - t0) / 1e9;
    // Compress time so the whole window arrives at the asked mean rate.
    double scale = (rows.size() / rate) / span;
    List<Req> out = new ArrayList<>();
    for (long[] r : rows) {
      int output = (int) Math.max(1, (r[2] + outputDiv - 1) / outputDiv);
      int prompt = (int) Math.max(1, (r[1] + promptDiv - 1) / promptDiv);
      prompt = Math.min(prompt, 1024 - output);
      out.add(new Req((long) ((r[0] - t0) * scale), prompt, output));
    }
    return out;
  }

  static int[] prompt(Random r, int n) {
    return GenerativeBench.randomPrompt(r, n);
  }

  /** Each request submitted at its arrival; the engine batches (or not, with a cap of one). */
  static Rec[] runEach(GenerativeModel m, List<Req> reqs) throws Exception {
    cpuStart = OS.getProcessCpuTime();
    Random r = new Random(3);
    Rec[] recs = new Rec[reqs.size()];
    long start = System.nanoTime();
    for (int i = 0; i < reqs.size(); i++) {
      Req q = reqs.get(i);
      waitUntil(start + q.offsetNanos());
      recs[i] = new Rec(q.output());
      m.engine().submit(GenerativeBench.request(prompt(r, q.prompt()), q.output()), recs[i]);
    }
    for (Rec rec : recs) {
      rec.done.get(30, TimeUnit.MINUTES);
    }
    return stamp(recs, start);
  }

  /**
   * Static batching: take the requests that have arrived (at most {@code cap}), run them together
   * to the longest output among them (every row computes that many tokens), then the next group.
   */
  static Rec[] runStatic(GenerativeModel m, List<Req> reqs, int cap) throws Exception {
    cpuStart = OS.getProcessCpuTime();
    Random r = new Random(3);
    Rec[] recs = new Rec[reqs.size()];
    long start = System.nanoTime();
    int next = 0;
    while (next < reqs.size()) {
      waitUntil(start + reqs.get(next).offsetNanos());
      long now = System.nanoTime();
      int end = next;
      while (end < reqs.size() && end - next < cap && start + reqs.get(end).offsetNanos() <= now) {
        end++;
      }
      int longest = 0;
      for (int i = next; i < end; i++) {
        longest = Math.max(longest, reqs.get(i).output());
      }
      for (int i = next; i < end; i++) {
        Req q = reqs.get(i);
        recs[i] = new Rec(q.output());
        int budget = Math.min(longest, 1024 - q.prompt());
        m.engine().submit(GenerativeBench.request(prompt(r, q.prompt()), budget), recs[i]);
      }
      for (int i = next; i < end; i++) {
        recs[i].done.get(30, TimeUnit.MINUTES);
      }
      next = end;
    }
    return stamp(recs, start);
  }

  static long runStart;
  static long cpuStart;

  static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  static Rec[] stamp(Rec[] recs, long start) {
    runStart = start;
    return recs;
  }

  static void waitUntil(long t) {
    for (long left; (left = t - System.nanoTime()) > 0; ) {
      LockSupport.parkNanos(left);
    }
  }

  /** Each engine's model calls, timed by its step gate: where a mode's time goes. */
  static final GenerativeBench.StepClock[] CLOCKS = {
    new GenerativeBench.StepClock(), new GenerativeBench.StepClock(), new GenerativeBench.StepClock()
  };

  static void report(
      int round, String mode, List<Req> reqs, double[] slos, Rec[] recs,
      GenerativeBench.StepClock clock) {
    int n = recs.length;
    double[] tpot = new double[n];
    double[] ttft = new double[n];
    long end = 0;
    long tokens = 0;
    for (int i = 0; i < n; i++) {
      Rec rec = recs[i];
      long arrival = runStart + reqs.get(i).offsetNanos();
      ttft[i] = (rec.first - arrival) / 1e6;
      tpot[i] = rec.own > 1 ? (rec.last - rec.first) / 1e6 / (rec.own - 1) : 0;
      end = Math.max(end, rec.last);
      tokens += rec.own;
    }
    double span = (end - runStart) / 1e9;
    // Process CPU time of the mode: what other processes on a shared machine disturb least.
    double cpu = (OS.getProcessCpuTime() - cpuStart) / 1e9;
    StringBuilder goodput = new StringBuilder();
    for (double slo : slos) {
      long good = Arrays.stream(tpot).filter(t -> t <= slo).count();
      goodput.append(String.format(" goodput_req_s@%.0fms=%.3f", slo, good / span));
    }
    Arrays.sort(tpot);
    Arrays.sort(ttft);
    // Steps of decodes only (one token per row) against steps carrying prompt tokens.
    long decodeSteps = 0, decodeRows = 0, decodeNanos = 0, promptSteps = 0, promptNanos = 0;
    long stepTokens = 0;
    synchronized (clock.steps) {
      for (long[] st : clock.steps) {
        stepTokens += st[0];
        if (st[0] == st[2]) {
          decodeSteps++;
          decodeRows += st[2];
          decodeNanos += st[1];
        } else {
          promptSteps++;
          promptNanos += st[1];
        }
      }
    }
    goodput.append(
        String.format(
            " model_s=%.1f decode_steps=%d decode_rows_mean=%.1f decode_step_ms=%.1f"
                + " prompt_steps=%d prompt_step_ms=%.1f model_tokens=%d",
            (decodeNanos + promptNanos) / 1e9, decodeSteps,
            decodeSteps == 0 ? 0.0 : (double) decodeRows / decodeSteps,
            decodeSteps == 0 ? 0.0 : decodeNanos / 1e6 / decodeSteps, promptSteps,
            promptSteps == 0 ? 0.0 : promptNanos / 1e6 / promptSteps, stepTokens));
    System.out.printf(
        "round=%d mode=%s span_s=%.1f req_s=%.3f out_tok_s=%.1f tpot_p50_ms=%.1f tpot_p99_ms=%.1f"
            + " ttft_p50_ms=%.0f ttft_p99_ms=%.0f cpu_s=%.1f out_tok_per_cpu_s=%.1f%s%n",
        round, mode, span, n / span, tokens / span, pct(tpot, 50), pct(tpot, 99), pct(ttft, 50),
        pct(ttft, 99), cpu, tokens / cpu, goodput);
  }

  static double pct(double[] sorted, double p) {
    int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
