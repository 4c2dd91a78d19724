package dev.kairos.kubernetes.manifests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Renders a kustomization as {@code kubectl apply -k} would: with {@code kubectl kustomize} when
 * kubectl is installed, otherwise by reading the files its {@code resources} list (recursively),
 * which covers the base but not an overlay's patches.
 */
final class Manifests {
  private static final YAMLMapper YAML = new YAMLMapper();

  private Manifests() {}

  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("k8s"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("no k8s/ directory above " + Path.of("").toAbsolutePath());
    }
    return p.resolve("k8s");
  }

  /** Whether kubectl is on the PATH ({@code -Dkairos.manifests.noKubectl=true} pretends not). */
  static boolean kubectlAvailable() {
    if (Boolean.getBoolean("kairos.manifests.noKubectl")) {
      return false;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, "kubectl"))) {
        return true;
      }
    }
    // CI's machines have kubectl: there a missing one is a broken machine, not a reason to skip.
    if ("true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(
          "kubectl is not on the PATH, and CI=true: the overlays cannot be rendered as"
              + " `kubectl apply -k` would");
    }
    return false;
  }

  /** The YAML documents of a rendered kustomization directory. */
  static List<String> render(Path dir) throws IOException, InterruptedException {
    String text = kubectlAvailable() ? kubectlKustomize(dir) : readResources(dir);
    List<String> docs = new ArrayList<>();
    for (String doc : text.split("(?m)^---\\s*$")) {
      if (!doc.strip().isEmpty() && !doc.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
        docs.add(doc);
      }
    }
    return docs;
  }

  private static String kubectlKustomize(Path dir) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("kubectl", "kustomize", dir.toString())
            .redirectErrorStream(true)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(
          "kubectl kustomize " + dir + " failed: " + new String(out, StandardCharsets.UTF_8));
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  @SuppressWarnings("unchecked")
  private static String readResources(Path dir) throws IOException {
    Map<String, Object> k =
        YAML.readValue(Files.readString(dir.resolve("kustomization.yaml")), Map.class);
    StringBuilder out = new StringBuilder();
    for (Object r : (List<Object>) k.getOrDefault("resources", List.of())) {
      Path p = dir.resolve((String) r).normalize();
      out.append(Files.isDirectory(p) ? readResources(p) : Files.readString(p)).append("\n---\n");
    }
    return out.toString();
  }
}
