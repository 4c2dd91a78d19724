package dev.kairos.runtime.repository;

import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.model.ModelConfigException;
import dev.kairos.sdk.model.ModelConfigParser;
import dev.kairos.sdk.oip.OipPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Reads a model repository: {@code DIR/<model>/model.yaml} (optional) and numbered version folders
 * holding the artifact. A broken model is reported with its reason and does not stop the others.
 */
public final class ModelRepository {
  /** Artifact file names by engine, in the order they are looked for. */
  private static final Map<String, List<String>> ARTIFACTS =
      Map.of(
          "onnxruntime", List.of(".onnx"),
          "pytorch", List.of(".pt", ".torchscript"),
          "tensorrt", List.of(".plan", ".engine"),
          "java", List.of(".jar"));

  private static final List<String> ENGINE_ORDER =
      List.of("onnxruntime", "pytorch", "tensorrt", "java");

  private final Path root;

  /**
   * What each model folder parsed to, with the stamp of its files then: a folder is parsed again
   * only when a file in it or in a version folder changed (the admin API lists models often).
   */
  private final Map<Path, Parsed> parsed = new ConcurrentHashMap<>();

  private record Parsed(String stamp, ModelDirectory directory) {}

  public ModelRepository(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  /**
   * Scans every model folder.
   *
   * @throws UncheckedIOException if the repository folder itself cannot be listed
   */
  public List<ModelDirectory> scan() {
    if (!Files.isDirectory(root)) {
      throw new UncheckedIOException(
          new IOException("model repository " + root + " is not a directory"));
    }
    List<ModelDirectory> out = new ArrayList<>();
    List<Path> seen = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        if (!dir.getFileName().toString().startsWith(".")) {
          out.add(cached(dir));
          seen.add(dir);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    parsed.keySet().retainAll(seen);
    return out;
  }

  /** The folder as last parsed if none of its files changed since, else parsed now. */
  private ModelDirectory cached(Path dir) {
    String stamp = stamp(dir);
    Parsed p = parsed.get(dir);
    if (p != null && stamp != null && p.stamp().equals(stamp)) {
      return p.directory();
    }
    ModelDirectory d = read(dir);
    if (stamp != null) {
      parsed.put(dir, new Parsed(stamp, d));
    }
    return d;
  }

  /**
   * Names, sizes and modification times of the folder's files and of the files in its sub-folders
   * (versions): what a parse depends on. Null when the folder cannot be read (never cached).
   */
  private static String stamp(Path dir) {
    StringBuilder b = new StringBuilder();
    try {
      appendStamp(b, dir);
      try (Stream<Path> s = Files.list(dir)) {
        for (Path p : s.sorted().toList()) {
          appendStamp(b, p);
          if (Files.isDirectory(p)) {
            try (Stream<Path> inner = Files.list(p)) {
              for (Path q : inner.sorted().toList()) {
                appendStamp(b, q);
              }
            }
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      return null;
    }
    return b.toString();
  }

  private static void appendStamp(StringBuilder b, Path p) throws IOException {
    java.nio.file.attribute.BasicFileAttributes a =
        Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class);
    b.append(p.getFileName())
        .append(':')
        .append(a.size())
        .append(':')
        .append(a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS))
        .append('\n');
  }

  /** Reads one model folder; problems become the directory's {@code error}. */
  public static ModelDirectory read(Path dir) {
    String dirName = dir.getFileName().toString();
    try {
      if (DjlServingDirectory.isOne(dir)) {
        return DjlServingDirectory.read(dir);
      }
      Path yaml = dir.resolve("model.yaml");
      ModelConfig config =
          Files.exists(yaml)
              ? ModelConfigParser.parse(yaml, dirName)
              : ModelConfig.defaults(dirName, null);
      if (!OipPath.isValidName(config.name())) {
        throw new ModelConfigException(dir, null, "is not a valid model name");
      }
      List<Path> versionDirs = versionDirs(dir);
      if (versionDirs.isEmpty()) {
        throw new ModelConfigException(
            dir, null, "has no numbered version folder (expected e.g. " + dir.resolve("1") + ")");
      }
      String engine = config.engine();
      if (engine == null) {
        engine = inferEngine(versionDirs.get(versionDirs.size() - 1));
        config = config.withEngine(engine);
        String problem = config.isolation().problemWith(engine);
        if (problem != null) {
          throw new ModelConfigException(dir.resolve("model.yaml"), "isolation", problem);
        }
      }
      List<ModelVersion> versions = new ArrayList<>();
      for (Path v : versionDirs) {
        Path artifact = findArtifact(v, engine);
        if (artifact == null) {
          throw new ModelConfigException(
              v, null, "holds no " + engine + " artifact (" + ARTIFACTS.get(engine) + ")");
        }
        versions.add(new ModelVersion(v.getFileName().toString(), v, artifact));
      }
      for (String weighted : config.traffic().keySet()) {
        if (versions.stream().noneMatch(x -> x.version().equals(weighted))) {
          throw new ModelConfigException(
              dir.resolve("model.yaml"),
              "traffic." + weighted,
              "names a version that does not exist");
        }
      }
      return new ModelDirectory(config.name(), dir, config, versions, null);
    } catch (ModelConfigException e) {
      return new ModelDirectory(dirName, dir, null, List.of(), e.getMessage());
    } catch (IOException | UncheckedIOException e) {
      return new ModelDirectory(dirName, dir, null, List.of(), dir + ": " + e.getMessage());
    }
  }

  /** The artifact file endings an engine loads, e.g. {@code [.onnx]}. */
  static List<String> suffixes(String engine) {
    return ARTIFACTS.getOrDefault(engine, List.of());
  }

  private static List<Path> versionDirs(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory)
          .filter(p -> p.getFileName().toString().matches("\\d{1,9}"))
          .sorted(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString())))
          .toList();
    }
  }

  private static String inferEngine(Path versionDir) throws IOException {
    for (String engine : ENGINE_ORDER) {
      if (findArtifact(versionDir, engine) != null) {
        return engine;
      }
    }
    throw new ModelConfigException(
        versionDir,
        null,
        "holds no recognised model file (.onnx, .pt, .plan or .jar) and model.yaml names no engine");
  }

  private static Path findArtifact(Path versionDir, String engine) throws IOException {
    List<String> suffixes = ARTIFACTS.getOrDefault(engine, List.of());
    try (Stream<Path> s = Files.list(versionDir)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> suffixes.stream().anyMatch(x -> p.getFileName().toString().endsWith(x)))
          .sorted()
          .findFirst()
          .orElse(null);
    }
  }
}
