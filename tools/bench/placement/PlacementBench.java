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
 * Heavy and light on one CPU device, placed by {@code kairos serve} itself: no {@code model.yaml}
 * names a device. Each configuration is a fresh {@code kairos serve} on a repository holding the
 * light model (the MLP), the heavy one (ResNet, {@code device.class: heavy}) or both, one replica
 * each; load goes through the gateway. Configurations, side by side in each round, order rotated:
 * light alone, heavy alone, and both under each {@code --device-sharing} mode named (weights,
 * arbiter, off: the same placement with sharing turned off). Run by run.sh; prints Markdown.
 */
public class PlacementBench {
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
    List<String> configs = new ArrayList<>(List.of("light-alone", "heavy-alone"));
    for (String m : o.getOrDefault("modes", "weights,arbiter,off").split(",")) {
      configs.add(m.trim());
    }
    Path work = Files.createDirectories(Path.of("tools/bench/work/placement"));
    Path lightCopy = copyModel(light, work.resolve("models/" + light.getFileName()));
    Path heavyCopy = copyModel(heavy, work.resolve("models/" + heavy.getFileName()));
    byte[] lightBody = Files.readAllBytes(light.resolve("golden/request.json"));
    byte[] heavyBody = resnetRequest();
    List<Map<String, Result>> all = new ArrayList<>();
    List<String> placements = new ArrayList<>();
    for (int r = 1; r <= rounds; r++) {
      Map<String, Result> round = new LinkedHashMap<>();
      for (String c : configs) {
        round.put(c, null);
      }
      for (int k = 0; k < configs.size(); k++) {
        String config = configs.get((k + r - 1) % configs.size());
        Result res = runConfig(config, heavyCopy, lightCopy, heavyBody, lightBody, seconds, warmup,
            lightRps, heavyClients, work, placements);
        round.put(config, res);
        System.err.printf(Locale.ROOT, "round %d %-12s %s%n", r, config, res);
      }
      all.add(round);
    }
    print(all, configs, seconds, lightRps, heavyClients, placements);
  }

  /** The model folder copied (once) with one replica, no autoscaling and no device.shared. */
  static Path copyModel(Path from, Path to) throws Exception {
    Files.createDirectories(to.resolve("1"));
    for (String f : List.of("1/model.onnx")) {
      if (!Files.exists(to.resolve(f))) {
        Files.copy(from.resolve(f), to.resolve(f));
      }
    }
    String yaml = Files.readString(from.resolve("model.yaml"));
    if (yaml.matches("(?s).*\\bshared\\s*:.*")) {
      throw new IllegalArgumentException(from + "/model.yaml names a shared device: placement must decide");
    }
    Files.writeString(to.resolve("model.yaml"),
        yaml + "\nscaling: {minReplicas: 1, maxReplicas: 1, initialScale: 1}\n");
    return to;
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

  record Serve(Process process, int port, List<String> lines) {}

  /** Starts kairos serve on a repository of links to the models and waits until it serves. */
  static Serve serve(List<Path> models, String sharing, Path work) throws Exception {
    Path repo = Files.createTempDirectory(work, "repo");
    for (Path m : models) {
      Files.createSymbolicLink(repo.resolve(m.getFileName()), m.toAbsolutePath());
    }
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Xmx512m", "-cp", System.getProperty("java.class.path"), "dev.kairos.cli.KairosCli", "serve",
        "--models", repo.toString(), "--port", "0", "--grpc-port", "-1", "--warm-pool", "0",
        "--device-sharing", sharing));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    int port = -1;
    for (String line; (line = r.readLine()) != null; ) {
      lines.add(line);
      if (line.startsWith("Kairos gateway listening on http://127.0.0.1:")) {
        port = Integer.parseInt(line.substring("Kairos gateway listening on http://127.0.0.1:".length()).split(" ")[0]);
      }
      if (line.startsWith("Kairos ready:")) {
        Thread drain = new Thread(() -> {
          try {
            for (String l; (l = r.readLine()) != null; ) {
              lines.add(l);
            }
          } catch (Exception ignored) {
            // serve went away
          }
        });
        drain.setDaemon(true);
        drain.start();
        if (!line.startsWith("Kairos ready: " + models.size() + " of " + models.size())) {
          throw new IllegalStateException("not every model serves: " + String.join("\n", lines));
        }
        return new Serve(p, port, lines);
      }
    }
    throw new IllegalStateException("kairos serve exited: " + String.join("\n", lines));
  }

  static Result runConfig(String config, Path heavyDir, Path lightDir, byte[] heavyBody,
      byte[] lightBody, int seconds, int warmup, double lightRps, int heavyClients, Path work,
      List<String> placements) throws Exception {
    boolean runLight = !config.equals("heavy-alone");
    boolean runHeavy = !config.equals("light-alone");
    List<Path> models = new ArrayList<>();
    if (runLight) models.add(lightDir);
    if (runHeavy) models.add(heavyDir);
    Serve serve = serve(models, config.endsWith("-alone") ? "weights" : config, work);
    try {
      for (String l : serve.lines()) {
        if (l.contains(": placed ") && placements.stream().noneMatch(x -> x.startsWith(config + ":"))) {
          placements.add(config + ": " + l.trim());
        }
      }
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      AtomicBoolean measuring = new AtomicBoolean(false);
      AtomicBoolean stop = new AtomicBoolean(false);
      AtomicLong heavyDone = new AtomicLong();
      AtomicLong heavyErr = new AtomicLong();
      String base = "http://127.0.0.1:" + serve.port() + "/v2/models/";
      if (runHeavy) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + heavyDir.getFileName() + "/infer"))
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
        }
      }
      ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
      AtomicLong lightErr = new AtomicLong();
      List<CompletableFuture<?>> inflight = new ArrayList<>();
      long start = System.nanoTime();
      long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
      long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
      if (runLight) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + lightDir.getFileName() + "/infer"))
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
      serve.process().destroy();
      if (!serve.process().waitFor(40, TimeUnit.SECONDS)) serve.process().destroyForcibly();
    }
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

  static void print(List<Map<String, Result>> all, List<String> configs, int seconds, double lightRps, int heavyClients,
      List<String> placements) {
    System.out.printf(Locale.ROOT,
        "Light: MLP, open-loop Poisson %.0f req/s. Heavy: ResNet, %d closed-loop clients. Requests through"
            + " the gateway of a kairos serve per configuration, one replica per model, placed by serve;"
            + " %d s measured per configuration after warm-up; %d rounds, all configurations"
            + " in each, their order rotated from round to round.%n%n", lightRps, heavyClients, seconds, all.size());
    System.out.println("Placement as serve printed it (first round):");
    System.out.println();
    for (String p : placements) {
      System.out.println("- " + p);
    }
    System.out.println();
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
    for (String c : configs) {
      if (c.endsWith("-alone")) continue;
      if (!lightRatio.containsKey(c)) continue;
      double l = median(lightRatio.get(c));
      double h = median(heavyRatio.get(c));
      System.out.printf(Locale.ROOT,
          "- **%s** (targets: light p99 <= 1.5x alone, heavy >= 85%% of alone): light %.2fx — %s; heavy %.0f%% — %s.%n",
          c, l, l <= 1.5 ? "met" : "**missed**", h, h >= 85 ? "met" : "**missed**");
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
