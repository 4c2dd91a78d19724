package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.cli.deploy.Bundle;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.runtime.repository.ModelVersion;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a real {@code kairos serve} at seeded random moments while it deploys, undeploys,
 * writes scaling knobs and writes traffic weights; after each crash the platform is started again
 * on the same repository, which must hold the old or the new state of every model, never a
 * half-written one: every version folder complete (its files' hashes as deployed), {@code
 * model.yaml} parsing and naming the newest deploy, no staging or journal left, and the platform
 * serving.
 */
class CrashSafetyIT {
  private static final long SEED = 20261123L;
  private static final int CRASHES = 8;
  private static final String KEY = "crash-test-admin-key";
  private static final Path MLP = KairosProcess.HOME.resolve("examples/models/mlp/1/model.onnx");
  private static final Pattern ADMIN = Pattern.compile("Admin API on (http://\\S+)");
  private static final Pattern DEPLOYED = Pattern.compile("# deployed as v(\\d+)");

  @TempDir Path repo;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1) // bundle uploads: no h2c upgrade with a body
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final Map<String, String> padHashes = new TreeMap<>();
  private final List<Long> orphans = new ArrayList<>();
  private final java.util.Set<Map<String, Integer>> splits = new java.util.HashSet<>();
  private KairosProcess kairos;

  @AfterEach
  void stop() throws Exception {
    if (kairos != null) {
      kairos.close();
    }
    for (long pid : orphans) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void shouldHoldTheOldOrTheNewStateAfterAKillDuringAnyRepositoryWrite() throws Exception {
    SplittableRandom random = new SplittableRandom(SEED);
    int version = 1;
    writeInitialModel(random);
    kairos = start();
    // How long the writes take on this machine now (warm): the kill moments spread over that.
    HttpResponse<String> first = send(adminUrl(), deploy(++version, random)).join();
    assertThat(first.body()).as(first.statusCode() + " " + first.body()).contains("\"ready\"");
    long t0 = System.nanoTime();
    HttpResponse<java.io.InputStream> second =
        http.send(deploy(++version, random), HttpResponse.BodyHandlers.ofInputStream());
    long deployMillis = (System.nanoTime() - t0) / 1_000_000; // until "written": the write itself
    assertThat(new String(second.body().readAllBytes(), StandardCharsets.UTF_8)).contains("ready");
    t0 = System.nanoTime();
    for (int i = 0; i < 10; i++) {
      HttpResponse<String> knob = send(adminUrl(), knobs(adminUrl(), 4)).join();
      assertThat(knob.statusCode()).as(knob.body()).isEqualTo(200);
    }
    long knobMillis = (System.nanoTime() - t0) / 10_000_000;
    System.out.println(
        "a deploy writes in " + deployMillis + " ms, a knob write " + knobMillis + " ms");
    List<String> done = new ArrayList<>();
    for (int crash = 0; crash < CRASHES; crash++) {
      String admin = adminUrl();
      List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
      int op = crash % 4;
      String what;
      if (op == 0) {
        version++;
        what = "deploy v" + version;
        sent.add(send(admin, deploy(version, random)));
      } else if (op == 1) {
        what = "undeploy of the oldest version, then deploy v" + (version + 1);
        String oldest = versions().get(0);
        sent.add(send(admin, undeploy(admin, oldest)));
        version++;
        sent.add(send(admin, deploy(version, random)));
      } else if (op == 2) {
        what = "10 knob writes";
        for (int i = 0; i < 10; i++) {
          sent.add(send(admin, knobs(admin, 2 + random.nextInt(6))));
        }
      } else {
        what = "10 traffic writes";
        List<String> present = versions();
        for (int i = 0; i < 10; i++) {
          sent.add(send(admin, traffic(admin, present, random.nextInt(101))));
        }
      }
      long delayMillis;
      if (op >= 2) {
        // a restarted server answers its first admin request slowly (cold): wait for it, so the
        // kill lands among the nine writes still in flight
        sent.get(0).exceptionally(e -> null).join();
        delayMillis = random.nextLong(0, 9 * knobMillis + 1);
      } else {
        long span = deployMillis * (op == 1 ? 2 : 1);
        delayMillis = random.nextLong(span / 4, span + span / 4 + 1);
      }
      // The crash moment itself is what is randomised: the kill is scheduled, not waited for.
      long answered =
          CompletableFuture.supplyAsync(
                  () -> {
                    long ok =
                        sent.stream()
                            .filter(f -> f.isDone() && !f.isCompletedExceptionally())
                            .count();
                    try {
                      kill9();
                    } catch (Exception e) {
                      throw new IllegalStateException("kill -9 failed", e);
                    }
                    return ok;
                  },
                  CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS))
              .join();
      String atKill = leftBehind();
      kairos = start();
      List<String> repairs =
          kairos.output().lines().filter(l -> l.startsWith("Model repository:")).toList();
      done.add(
          what
              + " killed after "
              + delayMillis
              + " ms ("
              + answered
              + " of "
              + sent.size()
              + " answered; on disk: "
              + atKill
              + ") -> versions "
              + versions()
              + ", "
              + repairs);
      System.out.println("crash " + crash + ": " + done.get(done.size() - 1));
      checkRepository(done);
      // a deploy that did not make it is deployed again next time under the same number
      List<String> present = versions();
      version = Integer.parseInt(present.get(present.size() - 1));
    }
  }

  private void writeInitialModel(SplittableRandom random) throws Exception {
    Path dir = repo.resolve("m");
    Files.createDirectories(dir.resolve("1"));
    Files.copy(MLP, dir.resolve("1/model.onnx"));
    byte[] pad = padding(random);
    Files.write(dir.resolve("1/pad.bin"), pad);
    padHashes.put("1", sha(pad));
    Files.writeString(dir.resolve("model.yaml"), yaml(1));
  }

  private static String yaml(int v) {
    return "# deployed as v"
        + v
        + "\nname: m\nengine: onnxruntime\n"
        + "scaling:\n  minReplicas: 0\n  initialScale: 0  # no replica until asked\n"
        + "  maxReplicas: 4\n";
  }

  private static byte[] padding(SplittableRandom random) {
    byte[] pad = new byte[8 << 20];
    for (int i = 0; i < pad.length; i += 8) {
      long l = random.nextLong();
      for (int b = 0; b < 8; b++) {
        pad[i + b] = (byte) (l >>> (8 * b));
      }
    }
    return pad;
  }

  private HttpRequest deploy(int v, SplittableRandom random) throws Exception {
    byte[] pad = padding(random);
    padHashes.put(Integer.toString(v), sha(pad));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      z.setLevel(0);
      put(z, Bundle.MODEL_YAML, yaml(v).getBytes(StandardCharsets.UTF_8));
      put(z, Bundle.FILES + "model.onnx", Files.readAllBytes(MLP));
      put(z, Bundle.FILES + "pad.bin", pad);
    }
    return HttpRequest.newBuilder(URI.create(adminUrl() + "/admin/deploy?name=m&version=" + v))
        .header("Authorization", "Bearer " + KEY)
        .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray()))
        .build();
  }

  private HttpRequest undeploy(String admin, String v) {
    return HttpRequest.newBuilder(URI.create(admin + "/admin/deploy?name=m&version=" + v))
        .header("Authorization", "Bearer " + KEY)
        .DELETE()
        .build();
  }

  private HttpRequest knobs(String admin, int maxReplicas) {
    return HttpRequest.newBuilder(URI.create(admin + "/admin/models/m/scaling"))
        .header("Authorization", "Bearer " + KEY)
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"maxReplicas\": " + maxReplicas + "}"))
        .build();
  }

  /** The newest version gets {@code newest} percent, the one before it the rest. */
  private HttpRequest traffic(String admin, List<String> present, int newest) {
    Map<String, Integer> split = new TreeMap<>();
    split.put(present.get(present.size() - 1), present.size() == 1 ? 100 : newest);
    if (present.size() > 1) {
      split.put(present.get(present.size() - 2), 100 - newest);
    }
    splits.add(split);
    StringBuilder json = new StringBuilder("{");
    split.forEach(
        (v, w) ->
            json.append(json.length() > 1 ? "," : "")
                .append('"')
                .append(v)
                .append("\":")
                .append(w));
    return HttpRequest.newBuilder(URI.create(admin + "/admin/models/m/traffic"))
        .header("Authorization", "Bearer " + KEY)
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json.append('}').toString()))
        .build();
  }

  private CompletableFuture<HttpResponse<String>> send(String admin, HttpRequest r) {
    return http.sendAsync(r, HttpResponse.BodyHandlers.ofString());
  }

  private static void put(ZipOutputStream z, String name, byte[] data) throws Exception {
    z.putNextEntry(new ZipEntry(name));
    z.write(data);
    z.closeEntry();
  }

  private KairosProcess start() throws Exception {
    return KairosProcess.serve(repo, "--admin-port", "0", "--admin-key", KEY, "--warm-pool", "0");
  }

  private String adminUrl() {
    Matcher m = ADMIN.matcher(kairos.output());
    assertThat(m.find()).as(kairos.output()).isTrue();
    return m.group(1);
  }

  private void kill9() throws Exception {
    Process p = kairos.process();
    p.descendants().forEach(h -> orphans.add(h.pid()));
    p.destroyForcibly(); // SIGKILL
    p.waitFor();
    kairos = null;
  }

  /** What a crash left in the repository besides models: staging folders, journals, temp files. */
  private String leftBehind() throws Exception {
    try (Stream<Path> s = Files.walk(repo, 2)) {
      List<String> odd =
          s.map(p -> repo.relativize(p).toString())
              .filter(n -> n.startsWith(".") || n.contains("/."))
              .toList();
      return odd.isEmpty() ? "nothing half-done" : String.join(" ", odd);
    }
  }

  private List<String> versions() throws Exception {
    try (Stream<Path> s = Files.list(repo.resolve("m"))) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.matches("\\d+"))
          .sorted((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)))
          .toList();
    }
  }

  private void checkRepository(List<String> history) throws Exception {
    String why = String.join("\n", history);
    try (Stream<Path> s = Files.list(repo)) {
      assertThat(s.map(p -> p.getFileName().toString())).as(why).containsExactly("m");
    }
    try (Stream<Path> s = Files.list(repo.resolve("m"))) {
      assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")))
          .as(why + "\nleft-overs in the model folder")
          .isEmpty();
    }
    ModelDirectory d = ModelRepository.read(repo.resolve("m"));
    assertThat(d.ok()).as(why + "\n" + d.error()).isTrue();
    for (ModelVersion v : d.versions()) {
      assertThat(v.dir().resolve("model.onnx")).as(why).hasSameBinaryContentAs(MLP);
      assertThat(sha(Files.readAllBytes(v.dir().resolve("pad.bin"))))
          .as(why + "\nv" + v.version() + "/pad.bin is whole")
          .isEqualTo(padHashes.get(v.version()));
      try (Stream<Path> files = Files.list(v.dir())) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .containsExactlyInAnyOrder("model.onnx", "pad.bin");
      }
    }
    String yaml = Files.readString(repo.resolve("m/model.yaml"));
    Matcher m = DEPLOYED.matcher(yaml);
    assertThat(m.find()).as(why + "\n" + yaml).isTrue();
    String newest = d.versions().get(d.versions().size() - 1).version();
    assertThat(m.group(1)).as(why + "\nmodel.yaml belongs to the newest version").isEqualTo(newest);
    assertThat(d.config().scaling().maxReplicas()).isBetween(2, 7);
    if (!d.config().traffic().isEmpty()) {
      assertThat(splits)
          .as(why + "\ntraffic is one split that was sent")
          .contains(d.config().traffic());
    }
  }

  private static String sha(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
