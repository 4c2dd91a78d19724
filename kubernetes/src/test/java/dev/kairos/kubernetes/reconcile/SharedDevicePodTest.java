package dev.kairos.kubernetes.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.kubernetes.Models;
import dev.kairos.kubernetes.app.NodeArbiterMain;
import dev.kairos.kubernetes.crd.Model;
import dev.kairos.multiplexer.arbiter.SliceStats;
import dev.kairos.multiplexer.arbiter.uds.ArbiterServer;
import dev.kairos.sdk.replica.ReplicaToken;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models that ask to share their device run through the node's arbiter: the rendered pod names the
 * socket in its environment, and two runtimes started from the rendered commands (real child
 * processes, each in a folder laid out as its pod's mounts would be) take their slices from one
 * arbiter started as the DaemonSet starts it.
 */
class SharedDevicePodTest {
  private static final Path MLP = Path.of("../examples/models/mlp").toAbsolutePath().normalize();
  private static final String SECRET = "pod-test-secret-0123456789abcdef";

  @TempDir Path tmp;
  private final List<Process> pods = new ArrayList<>();
  private List<ArbiterServer> arbiters = List.of();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : pods) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    arbiters.forEach(ArbiterServer::close);
  }

  @Test
  void shouldRenderASharedCpuModelWithTheNodeArbitersSocket() {
    Container c = container(objects(ControllerConfig.defaults("kairos")), shared("mlp-a", "cpu"));

    assertThat(env(c)).containsEntry("KAIROS_ARBITER_SOCKET", "/var/run/kairos/arbiter-cpu.sock");
    assertThat(c.getArgs()).doesNotContain("--arbiter-socket");
    assertThat(c.getVolumeMounts())
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/var/run/kairos"));
  }

  @Test
  void shouldAskATimeSlicedShareOfTheCardForASharedGpuModelAndAWholeOneOtherwise() {
    RuntimeObjects objects = new RuntimeObjects(ControllerConfig.defaults("kairos"));
    Model sharing = shared("big", "gpu");
    Model alone = Models.mlp("kairos");
    alone.getSpec().setDevice(Models.map("kind", "gpu"));

    Container s = container(objects, sharing);
    Container a = container(objects, alone);

    assertThat(s.getResources().getLimits())
        .containsEntry("nvidia.com/gpu.shared", new Quantity("1"))
        .doesNotContainKey("nvidia.com/gpu");
    assertThat(env(s)).containsEntry("KAIROS_ARBITER_SOCKET", "/var/run/kairos/arbiter.sock");
    assertThat(a.getResources().getLimits())
        .containsEntry("nvidia.com/gpu", new Quantity("1"))
        .doesNotContainKey("nvidia.com/gpu.shared");
    // a card of its own needs no arbiter (and one node arbiter must not serialise two cards)
    assertThat(env(a)).doesNotContainKey("KAIROS_ARBITER_SOCKET");
  }

  @Test
  void shouldLetTwoRuntimesStartedFromTheRenderedPodsShareOneNodeArbiter() throws Exception {
    Path node = Files.createDirectories(tmp.resolve("node"));
    ControllerConfig config = ControllerConfig.defaults("kairos");
    // the DaemonSet's own arguments (k8s/base/arbiter.yaml), with the host folder under this node
    arbiters =
        NodeArbiterMain.start(
            new String[] {
              "--socket",
              onNode(node, "/var/run/kairos/arbiter.sock"),
              "--device",
              "gpu0",
              "--policy",
              "deadline",
              "--cpu-socket",
              onNode(node, "/var/run/kairos/arbiter-cpu.sock")
            });
    RuntimeObjects objects = new RuntimeObjects(config);

    int portA = startPod(objects, shared("mlp-a", "cpu"), node);
    int portB = startPod(objects, shared("mlp-b", "cpu"), node);
    for (int i = 0; i < 5; i++) {
      assertThat(infer(portA, "mlp-a")).isEqualTo(200);
      assertThat(infer(portB, "mlp-b")).isEqualTo(200);
    }

    ArbiterServer cpu = arbiters.get(1); // after the GPU's, as NodeArbiterMain starts them
    assertThat(cpu.arbiter().statsByModel())
        .extracting(SliceStats::model)
        .contains("mlp-a", "mlp-b");
    assertThat(cpu.arbiter().statsByModel()).allSatisfy(s -> assertThat(s.granted()).isPositive());
  }

  private static String onNode(Path node, String hostPath) {
    return node + hostPath;
  }

  private static Model shared(String name, String kind) {
    Model m = Models.mlp("kairos");
    m.getMetadata().setName(name);
    m.getSpec().setVersions(List.of("1"));
    m.getSpec().setTraffic(Map.of("1", 100));
    m.getSpec()
        .setInputs(
            List.of(
                new dev.kairos.kubernetes.crd.TensorSpecDto(
                    "features", "FP32", List.of(-1L, 16L))));
    m.getSpec()
        .setOutputs(
            List.of(
                new dev.kairos.kubernetes.crd.TensorSpecDto("scores", "FP32", List.of(-1L, 4L))));
    m.getSpec().setDevice(Models.map("kind", kind, "shared", "node", "class", "light"));
    return m;
  }

  private static RuntimeObjects objects(ControllerConfig config) {
    return new RuntimeObjects(config);
  }

  private static Container container(RuntimeObjects objects, Model m) {
    return pod(objects, m).getContainers().get(0);
  }

  private static PodSpec pod(RuntimeObjects objects, Model m) {
    return objects.deployment(m, ModelDocument.of(m), "1", 1).getSpec().getTemplate().getSpec();
  }

  private static Map<String, String> env(Container c) {
    Map<String, String> out = new java.util.HashMap<>();
    for (EnvVar e : c.getEnv()) {
      out.put(e.getName(), e.getValue());
    }
    return out;
  }

  /**
   * Lays out a folder as the pod's mounts would (host paths on {@code node}), starts the image's
   * entry point with the container's arguments and environment, paths mapped into that folder, and
   * returns the port it serves on. Its network is this machine's loopback, not a pod's own, so it
   * listens on 127.0.0.1 and an ephemeral port.
   */
  private int startPod(RuntimeObjects objects, Model m, Path node) throws Exception {
    String name = m.getMetadata().getName();
    ModelDocument doc = ModelDocument.of(m);
    PodSpec pod = objects.deployment(m, doc, "1", 1).getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    Path root = Files.createDirectories(tmp.resolve("pod-" + name));
    Map<String, Path> mounts = new java.util.LinkedHashMap<>();
    for (VolumeMount vm : c.getVolumeMounts()) {
      Volume v =
          pod.getVolumes().stream()
              .filter(x -> x.getName().equals(vm.getName()))
              .findFirst()
              .orElseThrow();
      Path at;
      if (v.getHostPath() != null) {
        at = Path.of(onNode(node, v.getHostPath().getPath()));
      } else {
        at = Path.of(root + vm.getMountPath());
      }
      if (v.getConfigMap() != null) {
        Files.createDirectories(at.getParent());
        Files.writeString(at, objects.configMap(m, doc).getData().get(vm.getSubPath()));
      } else if (v.getPersistentVolumeClaim() != null) {
        copy(MLP.resolve("1"), at);
      } else if (v.getSecret() != null) {
        Files.createDirectories(at);
        Files.writeString(at.resolve(RuntimeObjects.REPLICA_TOKEN_KEY), SECRET);
      } else {
        Files.createDirectories(at);
      }
      mounts.put(vm.getMountPath(), at);
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path")));
    cmd.add("dev.kairos.runtime.RuntimeMain");
    List<String> args = new ArrayList<>(c.getArgs());
    args.set(args.indexOf("--host") + 1, "127.0.0.1");
    args.set(args.indexOf("--port") + 1, "0");
    for (String a : args) {
      cmd.add(local(a, mounts));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().remove(ReplicaToken.ENV);
    pb.environment().remove("KAIROS_ARBITER_SOCKET");
    for (EnvVar e : c.getEnv()) {
      pb.environment().put(e.getName(), local(e.getValue(), mounts));
    }
    Process p = pb.start();
    pods.add(p);
    List<String> said = java.util.Collections.synchronizedList(new ArrayList<>());
    // One thread reads the runtime's output to its end and completes the port on the ready line.
    // (Handing the reader to a second thread at that line, as this test once did, raced with the
    // first thread closing it: close waited for the lock the second held while blocked in read, so
    // the port never came, about one run in twenty-five.)
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  said.add(line);
                  if (line.startsWith("KAIROS_RUNTIME_READY port=")) {
                    String rest = line.substring("KAIROS_RUNTIME_READY port=".length());
                    port.complete(Integer.parseInt(rest.substring(0, rest.indexOf(' '))));
                  } else if (line.startsWith("KAIROS_RUNTIME_FAILED")) {
                    port.completeExceptionally(new IllegalStateException(name + ": " + line));
                  }
                }
              } catch (IOException | RuntimeException e) {
                port.completeExceptionally(e);
              }
              port.completeExceptionally(
                  new IllegalStateException(name + " exited before it was ready"));
            },
            "pod-" + name + "-output");
    reader.setDaemon(true);
    reader.start();
    try {
      return port.get(90, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(notReady(name, p, said), e);
    }
  }

  /**
   * What is known of a runtime that did not say it was ready: its output, its state as the kernel
   * sees it (stopped by a signal, sleeping, running) and each thread's, and its Java threads.
   */
  private static String notReady(String name, Process p, List<String> said) {
    StringBuilder why =
        new StringBuilder(
            name + " (pid " + p.pid() + ", alive " + p.isAlive() + ") not ready in 90 s;");
    synchronized (said) {
      why.append(" its output:\n  ").append(String.join("\n  ", said));
    }
    if (!p.isAlive()) {
      return why.toString();
    }
    Path proc = Path.of("/proc", Long.toString(p.pid()));
    try (Stream<String> status = Files.lines(proc.resolve("status"))) {
      status
          .filter(l -> l.startsWith("State:") || l.startsWith("SigPnd:") || l.startsWith("ShdPnd:"))
          .forEach(l -> why.append('\n').append(l));
    } catch (IOException e) {
      why.append("\n(no /proc status: ").append(e).append(')');
    }
    try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
      why.append("\nits threads (kernel: name, state, wait channel):");
      for (Path t : tasks.sorted().toList()) {
        why.append("\n  ").append(read(t.resolve("comm")));
        String stat = read(t.resolve("stat"));
        int end = stat.lastIndexOf(')');
        why.append(", ").append(end > 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?');
        why.append(", ").append(read(t.resolve("wchan")));
      }
    } catch (IOException e) {
      why.append("\n(no /proc tasks: ").append(e).append(')');
    }
    // a stopped process cannot answer jstack's attach: bounded, so the report still comes
    try {
      Path dump = Files.createTempFile("jstack", ".txt");
      Process stack =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jstack").toString(),
                  Long.toString(p.pid()))
              .redirectErrorStream(true)
              .redirectOutput(dump.toFile())
              .start();
      boolean answered = stack.waitFor(30, TimeUnit.SECONDS);
      stack.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      why.append(answered ? "\nits Java threads:\n" : "\njstack did not answer in 30 s:\n")
          .append(Files.readString(dump));
      Files.deleteIfExists(dump);
    } catch (IOException e) {
      why.append("\n(no thread dump: ").append(e).append(')');
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return why.toString();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      return "?";
    }
  }

  /** A pod path as this machine sees it: under the longest mount that holds it. */
  private static String local(String value, Map<String, Path> mounts) {
    String best = null;
    for (String m : mounts.keySet()) {
      if ((value.equals(m) || value.startsWith(m + "/"))
          && (best == null || m.length() > best.length())) {
        best = m;
      }
    }
    return best == null ? value : mounts.get(best) + value.substring(best.length());
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  private static int infer(int port, String model) throws Exception {
    StringBuilder data = new StringBuilder();
    for (int i = 0; i < 16; i++) {
      data.append(i == 0 ? "" : ",").append(0.1 * i);
    }
    String body =
        "{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,16],\"data\":["
            + data
            + "]}]}";
    HttpRequest req =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/v2/models/" + model + "/infer"))
            .header("Content-Type", "application/json")
            .header(ReplicaToken.HEADER, SECRET)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .build()
        .send(req, HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }
}
