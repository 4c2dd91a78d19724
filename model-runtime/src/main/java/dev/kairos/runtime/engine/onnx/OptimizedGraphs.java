package dev.kairos.runtime.engine.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime's optimised graphs of models, kept on disk: a model loaded again creates its session
 * from the graph optimised at its first load, without the optimisation pass, which is most of a
 * large model's session creation.
 *
 * <p><b>Where.</b> Beside the model, in a folder {@value #FOLDER} of its version folder, when that
 * folder can be made and written (the cache then goes with the model, and is deleted with it);
 * otherwise in a folder of {@code fallback} named after the artifact's path. Both are looked in.
 *
 * <p><b>Valid for what.</b> An entry is a graph file and a record, written last, of what it was
 * made from: the artifact's SHA-256, the {@link GraphEnvironment} (ONNX Runtime version,
 * optimisation level, execution provider, CPU), and the {@link FileStamp}s of the artifact and of
 * the graph. A graph is used only when all of these still hold. The artifact's digest is computed
 * when an entry is made, on its own thread while ONNX Runtime optimises; a later load compares the
 * artifact's stamp, and hashes the file again only when the stamp changed (a file touched but not
 * changed keeps its entry). A graph file whose stamp differs from the record's (written to,
 * truncated, replaced), an entry for other content or another environment, or a graph ONNX Runtime
 * cannot load is deleted and made again, never used. Graphs are written under a temporary name,
 * synced, then renamed, and the record after them, so a crash leaves no record of a partial graph.
 * One entry per artifact and environment: an entry made again replaces the old one.
 */
public final class OptimizedGraphs {
  private static final Logger log = LoggerFactory.getLogger(OptimizedGraphs.class);

  /** The folder beside a model's artifact that holds its optimised graphs. */
  public static final String FOLDER = ".onnxruntime-graphs";

  /** The environment variable naming the fallback folder, or {@code off} to keep no graphs. */
  public static final String VARIABLE = "KAIROS_ONNX_GRAPH_CACHE";

  private final Path fallback;
  private final String onnxRuntime;
  private final String cpu;

  /**
   * @param fallback where graphs go when a model's folder cannot be written (null: nowhere)
   * @param onnxRuntime the ONNX Runtime version
   * @param cpu this machine's CPU ({@link GraphEnvironment#thisCpu}); null keeps no graphs
   */
  OptimizedGraphs(Path fallback, String onnxRuntime, String cpu) {
    this.fallback = fallback;
    this.onnxRuntime = onnxRuntime;
    this.cpu = cpu;
  }

  /**
   * The cache as configured by {@value #VARIABLE}: unset, beside the models, else {@code
   * ~/.kairos/onnxruntime-graphs}; a path, beside the models, else there; {@code off}, none.
   *
   * @return null when no graphs are kept (turned off, or the CPU cannot be named)
   */
  static OptimizedGraphs standard(String onnxRuntime, Map<String, String> environment) {
    String v = environment.get(VARIABLE);
    if (v != null && v.trim().equalsIgnoreCase("off")) {
      return null;
    }
    String cpu = GraphEnvironment.thisCpu(Path.of("/proc/cpuinfo"));
    if (cpu == null) {
      log.info("the CPU cannot be named here: ONNX Runtime graphs are optimised at every load");
      return null;
    }
    Path fallback =
        v == null || v.isBlank()
            ? Path.of(System.getProperty("user.home"), ".kairos", "onnxruntime-graphs")
            : Path.of(v.trim());
    return new OptimizedGraphs(fallback, onnxRuntime, cpu);
  }

  /**
   * Looks for a valid graph of {@code artifact} optimised at {@code level} for {@code provider}.
   */
  Lookup find(Path artifact, String level, String provider) throws IOException {
    GraphEnvironment env = new GraphEnvironment(onnxRuntime, level, provider, cpu);
    String prefix = artifact.getFileName() + "." + env.id();
    FileStamp artifactStamp = FileStamp.of(artifact);
    List<Path> dirs = new ArrayList<>();
    dirs.add(artifact.toAbsolutePath().getParent().resolve(FOLDER));
    if (fallback != null) {
      dirs.add(fallback.resolve(pathDigest(artifact)));
    }
    for (Path dir : dirs) {
      Path graph = valid(dir, prefix, artifact, artifactStamp, env);
      if (graph != null) {
        return new Lookup(artifact, artifactStamp, env, dir, prefix, graph, null);
      }
    }
    for (Path dir : dirs) {
      if (writable(dir)) {
        return new Lookup(
            artifact, artifactStamp, env, dir, prefix, null, digestOnItsOwnThread(artifact));
      }
    }
    return new Lookup(artifact, artifactStamp, env, null, prefix, null, null);
  }

  /** The entry's graph when every condition holds; otherwise null, and a bad entry deleted. */
  private static Path valid(
      Path dir, String prefix, Path artifact, FileStamp artifactStamp, GraphEnvironment env) {
    Path recordFile = dir.resolve(prefix + ".properties");
    if (!Files.isRegularFile(recordFile)) {
      return null;
    }
    Properties record = new Properties();
    try (InputStream in = Files.newInputStream(recordFile)) {
      record.load(in);
    } catch (IOException | IllegalArgumentException e) {
      return stale(dir, prefix, "its record cannot be read: " + e.getMessage());
    }
    for (Map.Entry<String, String> f : env.fields().entrySet()) {
      if (!f.getValue().equals(record.getProperty(f.getKey()))) {
        return stale(dir, prefix, "it was made for another " + f.getKey());
      }
    }
    Path graph = dir.resolve(prefix + ".onnx");
    FileStamp graphStamp;
    try {
      graphStamp = Files.isRegularFile(graph) ? FileStamp.of(graph) : null;
    } catch (IOException e) {
      graphStamp = null;
    }
    if (graphStamp == null || !graphStamp.equals(FileStamp.parse(record.getProperty("graph")))) {
      return stale(dir, prefix, "its graph file is missing or was changed after it was written");
    }
    if (!artifactStamp.equals(FileStamp.parse(record.getProperty("artifact")))) {
      // the artifact's file changed on disk: the entry holds only if its content did not
      String digest;
      try {
        digest = sha256(artifact);
      } catch (IOException e) {
        return null;
      }
      if (!digest.equals(record.getProperty("artifact.sha256"))) {
        return stale(dir, prefix, "the model file changed since its graph was optimised");
      }
      record.setProperty("artifact", artifactStamp.text());
      try {
        writeRecord(dir, prefix, record);
      } catch (IOException e) {
        log.debug("cannot refresh {}: {}", dir.resolve(prefix + ".properties"), e.toString());
      }
    }
    return graph;
  }

  private static Path stale(Path dir, String prefix, String why) {
    log.info("optimised graph {} not used: {}; optimising again", dir.resolve(prefix), why);
    delete(dir, prefix);
    return null;
  }

  private static void delete(Path dir, String prefix) {
    try {
      Files.deleteIfExists(dir.resolve(prefix + ".properties"));
      Files.deleteIfExists(dir.resolve(prefix + ".onnx"));
    } catch (IOException e) {
      log.debug("cannot delete the entry {}: {}", dir.resolve(prefix), e.toString());
    }
  }

  private static boolean writable(Path dir) {
    try {
      Files.createDirectories(dir);
      return Files.isWritable(dir);
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static void writeRecord(Path dir, String prefix, Properties record) throws IOException {
    Path tmp = dir.resolve(prefix + "." + UUID.randomUUID() + ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        record.store(out, "ONNX Runtime's optimised graph of a model, and what it is valid for");
      }
      sync(tmp);
      move(tmp, dir.resolve(prefix + ".properties"));
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void sync(Path file) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.force(true);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static CompletableFuture<String> digestOnItsOwnThread(Path artifact) {
    CompletableFuture<String> f = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                f.complete(sha256(artifact));
              } catch (IOException | RuntimeException e) {
                f.completeExceptionally(e);
              }
            },
            "graph-digest");
    t.setDaemon(true);
    t.start();
    return f;
  }

  static String sha256(Path file) throws IOException {
    MessageDigest d = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), d)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(d.digest());
  }

  private static String pathDigest(Path artifact) {
    MessageDigest d = sha256();
    d.update(artifact.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(d.digest(), 0, 8);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * What {@link #find} found: a graph to create the session from ({@link #graph}), or where ONNX
   * Runtime is to write one ({@link #pending}), to be {@link #commit committed} once the session
   * exists.
   */
  final class Lookup {
    private final Path artifact;
    private final FileStamp artifactStamp;
    private final GraphEnvironment env;
    private final Path dir;
    private final String prefix;
    private final Path graph;
    private final CompletableFuture<String> digest;
    private Path pending;

    private Lookup(
        Path artifact,
        FileStamp artifactStamp,
        GraphEnvironment env,
        Path dir,
        String prefix,
        Path graph,
        CompletableFuture<String> digest) {
      this.artifact = artifact;
      this.artifactStamp = artifactStamp;
      this.env = env;
      this.dir = dir;
      this.prefix = prefix;
      this.graph = graph;
      this.digest = digest;
    }

    /** A valid optimised graph, or null. */
    Path graph() {
      return graph;
    }

    /**
     * Where ONNX Runtime is to save the graph it optimises (a new temporary file name each call),
     * or null when there is nowhere to keep one. Ends in {@code .onnx}: ONNX Runtime saves in its
     * own format only for names ending in {@code .ort}.
     */
    Path pending() {
      if (dir == null || digest == null) {
        return null;
      }
      pending = dir.resolve(prefix + "." + UUID.randomUUID() + ".tmp.onnx");
      return pending;
    }

    /** Makes the graph ONNX Runtime saved at {@link #pending} the entry; best effort. */
    void commit() {
      Path written = pending;
      if (written == null) {
        return;
      }
      pending = null;
      try {
        if (!Files.isRegularFile(written)) {
          return;
        }
        String sha = digest.join();
        if (!FileStamp.of(artifact).equals(artifactStamp)) {
          log.info("{} changed while it was optimised: its graph is not kept", artifact);
          return;
        }
        sync(written);
        Path target = dir.resolve(prefix + ".onnx");
        move(written, target);
        Properties record = new Properties();
        env.fields().forEach(record::setProperty);
        record.setProperty("artifact.sha256", sha);
        record.setProperty("artifact", artifactStamp.text());
        record.setProperty("graph", FileStamp.of(target).text());
        writeRecord(dir, prefix, record);
      } catch (IOException | UncheckedIOException | java.util.concurrent.CompletionException e) {
        log.warn("the optimised graph of {} is not kept: {}", artifact, e.toString());
        delete(dir, prefix);
      } finally {
        abandon(written);
      }
    }

    /** Deletes a graph that was saved but is not to be kept (the session failed). */
    void abandon() {
      Path written = pending;
      pending = null;
      abandon(written);
    }

    private void abandon(Path written) {
      if (written != null) {
        try {
          Files.deleteIfExists(written);
        } catch (IOException e) {
          log.debug("cannot delete {}: {}", written, e.toString());
        }
      }
    }

    /** The graph found could not be loaded: its entry is deleted. */
    void discard(String why) {
      if (graph != null) {
        stale(graph.getParent(), prefix, why);
      }
    }
  }
}
