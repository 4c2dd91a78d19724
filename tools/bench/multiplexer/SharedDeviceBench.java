import dev.kairos.multiplexer.arbiter.policy.SlicePolicies;
import dev.kairos.multiplexer.arbiter.uds.ArbiterServer;
import dev.kairos.sdk.time.Clock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared-CPU-device experiment: a heavy model (ResNet ONNX) under steady closed-loop load and
 * a light model (the MLP) under open-loop Poisson load, each in its own runtime process, both on
 * the same cores. Configurations, measured side by side in each round: light alone, heavy alone,
 * both without arbiter (free-for-all), both under the FIFO arbiter, both under the deadline-aware
 * arbiter, and both under the deadline-aware arbiter with CPU preemption (the heavy runtime is
 * suspended while a light slice runs), and both without arbiter with the heavy runtime at nice 19
 * (heavy-niced: the kernel's CPU weights instead of time slices). Run by run.sh; prints Markdown.
 */
public class SharedDeviceBench {
  static final String[] ALL_CONFIGS = {
    "light-alone", "heavy-alone", "free-for-all", "fifo", "deadline", "deadline+preempt",
    "heavy-niced"};

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Path heavy = Path.of(o.getOrDefault("heavy", "tools/bench/models/mux-resnet18"));
    Path light = Path.of(o.getOrDefault("light", "examples/models/mlp"));
    int seconds = Integer.parseInt(o.getOrDefault("seconds", "15"));
    int warmup = Integer.parseInt(o.getOrDefault("warmup", "5"));
    int rounds = Integer.parseInt(o.getOrDefault("rounds", "3"));
    double lightRps = Double.parseDouble(o.getOrDefault("light-rps", "20"));
    int heavyClients = Integer.parseInt(o.getOrDefault("heavy-clients", "2"));
    String cores = o.getOrDefault("cores", "0,1");
    // the arms measured: both baselines always, then those named by --configs (default: all)
    String[] configs = ALL_CONFIGS;
    if (o.containsKey("configs")) {
      List<String> chosen = new ArrayList<>(List.of("light-alone", "heavy-alone"));
      for (String c : o.get("configs").split(",")) {
        if (!List.of(ALL_CONFIGS).contains(c)) {
          throw new IllegalArgumentException("--configs: unknown configuration '" + c + "'");
        }
        if (!chosen.contains(c)) chosen.add(c);
      }
      configs = chosen.toArray(String[]::new);
    }
    byte[] lightBody = Files.readAllBytes(light.resolve("golden/request.json"));
    byte[] heavyBody = resnetRequest();
    List<Map<String, Result>> all = new ArrayList<>();
    for (int r = 1; r <= rounds; r++) {
      Map<String, Result> round = new LinkedHashMap<>();
      for (String c : configs) {
        round.put(c, null);
      }
      // rotate the order each round, so that no configuration always runs at the same point
      for (int k = 0; k < configs.length; k++) {
        String config = configs[(k + r - 1) % configs.length];
        currentStep = "round " + r + ", " + config;
        Result res =
            runConfig(config, heavy, light, heavyBody, lightBody, seconds, warmup, lightRps,
                heavyClients, cores);
        round.put(config, res);
        System.err.printf(Locale.ROOT, "round %d %-13s %s%n", r, config, res);
      }
      all.add(round);
    }
    print(all, configs, seconds, lightRps, heavyClients, cores);
  }

  record Result(double lightP50, double lightP99, long lightOk, long lightErr, double heavyRps,
      long heavyErr) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT,
          "light p50 %.2f ms p99 %.2f ms ok %d err %d | heavy %.2f req/s err %d",
          lightP50, lightP99, lightOk, lightErr, heavyRps, heavyErr);
    }
  }

  static Result runConfig(String config, Path heavyDir, Path lightDir, byte[] heavyBody,
      byte[] lightBody, int seconds, int warmup, double lightRps, int heavyClients, String cores)
      throws Exception {
    boolean runLight = !config.equals("heavy-alone");
    boolean runHeavy = !config.equals("light-alone");
    ArbiterServer arbiter = null;
    Path sock = null;
    if (config.startsWith("fifo") || config.startsWith("deadline")) {
      sock = Files.createTempDirectory("kairos-bench").resolve("cpu0.sock");
      long preemptionLimit = config.endsWith("+preempt") ? 100_000_000L : 0;
      arbiter = ArbiterServer.start(sock, "cpu0",
          SlicePolicies.create(config.replace("+preempt", "")), Clock.system(), true,
          preemptionLimit);
    }
    List<Process> procs = new ArrayList<>();
    try {
      int lightPort = runLight ? start(lightDir, sock, cores, 0, procs) : -1;
      // heavy-niced: no arbiter; the heavy runtime runs at nice 19, so the kernel's scheduler
      // gives the light runtime's threads the cores as soon as they wake (a CPU weight, not a slice)
      int heavyNice = config.equals("heavy-niced") ? 19 : 0;
      int heavyPort = runHeavy ? start(heavyDir, sock, cores, heavyNice, procs) : -1;
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      AtomicBoolean measuring = new AtomicBoolean(false);
      AtomicBoolean stop = new AtomicBoolean(false);
      AtomicLong heavyDone = new AtomicLong();
      AtomicLong heavyErr = new AtomicLong();
      List<Thread> heavyThreads = new ArrayList<>();
      if (runHeavy) {
        String name = heavyDir.getFileName().toString();
        HttpRequest req = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + heavyPort + "/v2/models/" + name + "/infer"))
            .header("Content-Type", "application/octet-stream")
            .header("Inference-Header-Content-Length", String.valueOf(heavyHeaderLength))
            .POST(HttpRequest.BodyPublishers.ofByteArray(heavyBody)).build();
        for (int i = 0; i < heavyClients; i++) {
          Thread t = new Thread(() -> {
            while (!stop.get()) {
              try {
                HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                if (measuring.get()) {
                  (resp.statusCode() == 200 ? heavyDone : heavyErr).incrementAndGet();
                }
              } catch (Exception e) {
                if (measuring.get()) heavyErr.incrementAndGet();
              }
            }
          });
          t.setDaemon(true);
          t.start();
          heavyThreads.add(t);
        }
      }
      ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
      AtomicLong lightErr = new AtomicLong();
      List<CompletableFuture<?>> inflight = new ArrayList<>();
      long start = System.nanoTime();
      long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
      long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
      if (runLight) {
        String name = lightDir.getFileName().toString();
        HttpRequest req = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + lightPort + "/v2/models/" + name + "/infer"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(lightBody)).build();
        SplittableRandom random = new SplittableRandom(7);
        long next = start;
        while (next < end) {
          next += (long) (-Math.log(1 - random.nextDouble()) / lightRps * 1e9);
          long now;
          while ((now = System.nanoTime()) < next) {
            long left = next - now;
            if (left > 200_000) Thread.sleep((left - 100_000) / 1_000_000, (int) ((left - 100_000) % 1_000_000));
          }
          if (next >= measureFrom) measuring.set(true);
          final long intended = next;
          final boolean counted = next >= measureFrom;
          inflight.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray())
              .whenComplete((resp, err) -> {
                if (!counted) return;
                if (err != null || resp.statusCode() != 200) lightErr.incrementAndGet();
                else latencies.add(System.nanoTime() - intended);
              }));
        }
      } else {
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(measureFrom - System.nanoTime()));
        measuring.set(true);
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
      }
      measuring.set(false);
      stop.set(true);
      for (CompletableFuture<?> f : inflight) {
        try { f.get(30, TimeUnit.SECONDS); } catch (Exception ignored) { }
      }
      long[] l = latencies.stream().mapToLong(Long::longValue).toArray();
      Arrays.sort(l);
      double p50 = l.length == 0 ? Double.NaN : l[l.length / 2] / 1e6;
      double p99 = l.length == 0 ? Double.NaN : l[Math.min(l.length - 1, (int) (l.length * 0.99))] / 1e6;
      return new Result(p50, p99, l.length, lightErr.get(), heavyDone.get() / (double) seconds,
          heavyErr.get());
    } finally {
      for (Process p : procs) {
        p.destroy();
      }
      for (Process p : procs) {
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
      }
      if (arbiter != null) arbiter.close();
    }
  }

  /** Replicas that died from a signal before they were ready and were started once more. */
  static final List<String> restarts = new ArrayList<>();

  static String currentStep = "";

  /**
   * Starts a runtime and returns its port. A replica killed by a signal before it is ready (seen
   * twice: status 139, nothing on stderr) is started once more, and the table says so; a second
   * failure, or a failure the runtime reported itself, ends the experiment.
   */
  static int start(Path modelDir, Path sock, String cores, int nice, List<Process> procs)
      throws Exception {
    try {
      return startOnce(modelDir, sock, cores, nice, procs);
    } catch (ReplicaDied e) {
      restarts.add(currentStep + ": " + e.getMessage());
      System.err.println("started again after: " + e.getMessage());
      return startOnce(modelDir, sock, cores, nice, procs);
    }
  }

  static final class ReplicaDied extends IllegalStateException {
    ReplicaDied(String message) {
      super(message);
    }
  }

  static int startOnce(Path modelDir, Path sock, String cores, int nice, List<Process> procs)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    if (nice != 0) {
      cmd.addAll(List.of("/usr/bin/nice", "-n", String.valueOf(nice)));
    }
    if (Files.isExecutable(Path.of("/usr/bin/taskset")) && !cores.isEmpty()) {
      cmd.addAll(List.of("/usr/bin/taskset", "-c", cores));
    }
    cmd.addAll(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-Xms64m", "-Xmx512m",
        // a crash the JVM catches leaves its report beside the runtime's log
        "-XX:ErrorFile=tools/bench/work/hs_err_" + modelDir.getFileName() + "_%p.log", "-cp", System.getProperty("java.class.path"),
        "dev.kairos.runtime.RuntimeMain", "--model-dir", modelDir.toString(), "--exit-with-parent"));
    if (sock != null) {
      cmd.addAll(List.of("--arbiter-socket", sock.toString()));
    }
    // The runtime's log goes to a file, so a replica that fails to start can be diagnosed.
    Path log = Path.of("tools/bench/work", modelDir.getFileName() + ".runtime.log");
    Files.createDirectories(log.getParent());
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    procs.add(p);
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = r.readLine()) != null; ) {
      if (line.startsWith("KAIROS_RUNTIME_READY port=")) {
        return Integer.parseInt(line.substring("KAIROS_RUNTIME_READY port=".length()).trim().split(" ")[0]);
      }
      if (line.startsWith("KAIROS_RUNTIME_FAILED")) {
        throw new IllegalStateException(modelDir + ": " + line);
      }
    }
    int status = p.waitFor();
    String shown = String.join(" ", cmd).replace(System.getProperty("java.class.path"), "<classpath>");
    String message = modelDir + ": runtime exited with status " + status
        + " before it was ready (its log: " + log + "; command: " + shown + ")";
    throw status > 128 ? new ReplicaDied(message) : new IllegalStateException(message);
  }

  static int heavyHeaderLength;

  /** One 224x224 image as an OIP binary-extension request (JSON header + raw FP32 bytes). */
  static byte[] resnetRequest() {
    int n = 3 * 224 * 224;
    String header = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,3,224,224],"
        + "\"parameters\":{\"binary_data_size\":" + (n * 4) + "}}]}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    heavyHeaderLength = h.length;
    ByteBuffer b = ByteBuffer.allocate(h.length + n * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.put(h);
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < n; i++) b.putFloat((float) random.nextDouble());
    return b.array();
  }

  static void print(List<Map<String, Result>> all, String[] configs, int seconds, double lightRps, int heavyClients,
      String cores) {
    System.out.printf(Locale.ROOT,
        "Light: MLP, open-loop Poisson %.0f req/s. Heavy: ResNet, %d closed-loop clients. Both runtimes"
            + " on cores %s; %d s measured per configuration after warm-up; %d rounds, all configurations"
            + " in each, their order rotated from round to round.%n%n", lightRps, heavyClients, cores, seconds, all.size());
    System.out.println("| round | configuration | light p50 (ms) | light p99 (ms) | light p99 / alone | light errors | heavy req/s | heavy / alone |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (int r = 0; r < all.size(); r++) {
      Map<String, Result> round = all.get(r);
      Result la = round.get("light-alone");
      Result ha = round.get("heavy-alone");
      for (Map.Entry<String, Result> e : round.entrySet()) {
        Result x = e.getValue();
        System.out.printf(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s |%n", r + 1, e.getKey(),
            f(x.lightP50), f(x.lightP99), e.getKey().equals("heavy-alone") ? "-" : String.format(Locale.ROOT, "%.2fx", x.lightP99 / la.lightP99),
            e.getKey().equals("heavy-alone") ? "-" : String.valueOf(x.lightErr),
            e.getKey().equals("light-alone") ? "-" : String.format(Locale.ROOT, "%.2f", x.heavyRps),
            e.getKey().equals("light-alone") ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * x.heavyRps / ha.heavyRps));
      }
    }
    System.out.println();
    System.out.println("Per configuration over the rounds: median (min–max). Ratios are taken within each round"
        + " (against that round's light-alone and heavy-alone), then summarised.");
    System.out.println();
    System.out.println("| configuration | light p50 (ms) | light p99 (ms) | light p99 / alone | heavy req/s | heavy / alone |");
    System.out.println("|---|---|---|---|---|---|");
    Map<String, double[]> lightRatio = new LinkedHashMap<>();
    Map<String, double[]> heavyRatio = new LinkedHashMap<>();
    for (String c : configs) {
      int n = all.size();
      double[] p50 = new double[n];
      double[] p99 = new double[n];
      double[] lr = new double[n];
      double[] rps = new double[n];
      double[] hr = new double[n];
      for (int r = 0; r < n; r++) {
        Map<String, Result> round = all.get(r);
        Result x = round.get(c);
        p50[r] = x.lightP50;
        p99[r] = x.lightP99;
        lr[r] = x.lightP99 / round.get("light-alone").lightP99;
        rps[r] = x.heavyRps;
        hr[r] = 100 * x.heavyRps / round.get("heavy-alone").heavyRps;
      }
      lightRatio.put(c, lr);
      heavyRatio.put(c, hr);
      boolean light = !c.equals("heavy-alone");
      boolean heavy = !c.equals("light-alone");
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", c,
          light ? stat(p50, "%.1f", "") : "-",
          light ? stat(p99, "%.1f", "") : "-",
          light && !c.equals("light-alone") ? stat(lr, "%.2f", "x") : (light ? "1.00x" : "-"),
          heavy ? stat(rps, "%.1f", "") : "-",
          heavy && !c.equals("heavy-alone") ? stat(hr, "%.0f", "%%") : (heavy ? "100%" : "-"));
    }
    System.out.println();
    for (String c : new String[] {"deadline", "deadline+preempt", "heavy-niced"}) {
      if (!lightRatio.containsKey(c)) continue;
      double l = median(lightRatio.get(c));
      double h = median(heavyRatio.get(c));
      System.out.printf(Locale.ROOT,
          "- **%s** (targets: light p99 <= 1.5x alone, heavy >= 85%% of alone): light %.2fx — %s; heavy %.0f%% — %s.%n",
          c, l, l <= 1.5 ? "met" : "**missed**", h, h >= 85 ? "met" : "**missed**");
    }
    for (String r : restarts) {
      System.out.println("- **Replica started again** (" + r + ").");
    }
  }

  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  static String stat(double[] xs, String fmt, String unit) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return String.format(Locale.ROOT, fmt + unit + " (" + fmt + "–" + fmt + ")", median(s), s[0], s[s.length - 1]);
  }

  static String f(double d) {
    return Double.isNaN(d) ? "-" : String.format(Locale.ROOT, "%.2f", d);
  }
}
