package dev.kairos.runtime.engine.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
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
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime's optimised graphs of models, kept on disk: a model loaded again creates its session
 * from the graph optimised at its first load, without the optimisation pass, which is most of a
 * large model's session creation.
 *
 * <p>The graph is saved with its weights in a file of their own beside it (ONNX's external data),
 * which ONNX Runtime maps into memory when it loads the graph instead of copying every weight out
 * of the model file into fresh memory: in a host, where each model loaded keeps its memory, those
 * copies and their page faults were most of a session made from an inline graph.
 *
 * <p><b>Where.</b> Beside the model, in a folder {@value #FOLDER} of its version folder, when that
 * folder can be made and written (the cache then goes with the model, and is deleted with it);
 * otherwise in a folder of {@code fallback} named after the artifact's path. Both are looked in.
 *
 * <p><b>Valid for what.</b> An entry is a folder holding the graph and its weights, and a record,
 * written last, of what it was made from: the artifact's SHA-256, the {@link GraphEnvironment}
 * (ONNX Runtime version, optimisation level, execution provider, CPU), and the {@link FileStamp}s
 * of the artifact and of the entry's files. A graph is used only when all of these still hold. An
 * entry is made after the load that optimised its graph has returned, off that load's path (the
 * artifact's digest, syncing the files, the record); a later load compares the artifact's stamp,
 * and hashes the file again only when the stamp changed (a file touched but not changed keeps its
 * entry). An entry file whose stamp differs from the record's (written to, truncated, replaced), an
 * entry for other content or another environment, or a graph ONNX Runtime cannot load is deleted
 * and made again, never used. An entry is written in a temporary folder, synced, then renamed, and
 * the record after it, so a crash leaves no record of a partial entry; files of an entry are never
 * written once it is named (a session may have them mapped), a new entry replaces the record and
 * the old folder is deleted.
 */
public final class OptimizedGraphs {
  private static final Logger log = LoggerFactory.getLogger(OptimizedGraphs.class);

  /** The folder beside a model's artifact that holds its optimised graphs. */
  public static final String FOLDER = ".onnxruntime-graphs";

  /** The graph's file in an entry's folder. */
  static final String GRAPH = "graph.onnx";

  /** The weights' file in an entry's folder, named by the graph (ONNX external data). */
  static final String WEIGHTS = "graph.weights";

  /** The environment variable naming the fallback folder, or {@code off} to keep no graphs. */
  public static final String VARIABLE = "KAIROS_ONNX_GRAPH_CACHE";

  /**
   * Model files smaller than this get no kept graph: optimising a small graph costs less than
   * finding, checking and mapping a kept one (docs/BENCHMARKS.md, "ResNet-18 from zero", has both
   * sides).
   */
  public static final long SMALLEST_KEPT = 1L << 20;

  private final Path fallback;
  private final String onnxRuntime;
  private final String cpu;
  private final long smallest;
  private final Executor keeping;

  /**
   * @param fallback where graphs go when a model's folder cannot be written (null: nowhere)
   * @param onnxRuntime the ONNX Runtime version
   * @param cpu this machine's CPU ({@link GraphEnvironment#thisCpu}); null keeps no graphs
   * @param smallest the smallest model file whose graph is kept, in bytes
   * @param keeping where a saved graph is made an entry, after its load has returned
   */
  OptimizedGraphs(Path fallback, String onnxRuntime, String cpu, long smallest, Executor keeping) {
    this.fallback = fallback;
    this.onnxRuntime = onnxRuntime;
    this.cpu = cpu;
    this.smallest = smallest;
    this.keeping = keeping;
  }

  /** Runs each task on a daemon thread of its own: entries are made rarely, once per model. */
  static Executor threadPerEntry() {
    return task -> {
      Thread t = new Thread(task, "graph-keep");
      t.setDaemon(true);
      t.start();
    };
  }

  /** Whether {@value #VARIABLE} turns kept graphs off ({@code off}). */
  public static boolean turnedOff(Map<String, String> environment) {
    String v = environment.get(VARIABLE);
    return v != null && v.trim().equalsIgnoreCase("off");
  }

  /**
   * The cache as configured by {@value #VARIABLE}: unset, beside the models, else {@code
   * ~/.kairos/onnxruntime-graphs}; a path, beside the models, else there; {@code off}, none.
   *
   * @return null when no graphs are kept (turned off, or the CPU cannot be named)
   */
  static OptimizedGraphs standard(String onnxRuntime, Map<String, String> environment) {
    if (turnedOff(environment)) {
      return null;
    }
    String v = environment.get(VARIABLE);
    String cpu = GraphEnvironment.thisCpu(Path.of("/proc/cpuinfo"));
    if (cpu == null) {
      log.info("the CPU cannot be named here: ONNX Runtime graphs are optimised at every load");
      return null;
    }
    Path fallback =
        v == null || v.isBlank()
            ? Path.of(System.getProperty("user.home"), ".kairos", "onnxruntime-graphs")
            : Path.of(v.trim());
    return new OptimizedGraphs(fallback, onnxRuntime, cpu, SMALLEST_KEPT, threadPerEntry());
  }

  /**
   * Looks for a valid graph of {@code artifact} optimised at {@code level} for {@code provider}.
   *
   * @return null when graphs of a file this small are not kept
   */
  Lookup find(Path artifact, String level, String provider) throws IOException {
    FileStamp artifactStamp = FileStamp.of(artifact);
    if (artifactStamp.size() < smallest) {
      return null;
    }
    GraphEnvironment env = new GraphEnvironment(onnxRuntime, level, provider, cpu);
    String prefix = artifact.getFileName() + "." + env.id();
    List<Path> dirs = new ArrayList<>();
    dirs.add(artifact.toAbsolutePath().getParent().resolve(FOLDER));
    if (fallback != null) {
      dirs.add(fallback.resolve(pathDigest(artifact)));
    }
    for (Path dir : dirs) {
      Path graph = valid(dir, prefix, artifact, artifactStamp, env);
      if (graph != null) {
        return new Lookup(artifact, artifactStamp, env, dir, prefix, graph);
      }
    }
    for (Path dir : dirs) {
      if (writable(dir)) {
        return new Lookup(artifact, artifactStamp, env, dir, prefix, null);
      }
    }
    return new Lookup(artifact, artifactStamp, env, null, prefix, null);
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
    String entry = record.getProperty("entry", "");
    if (!entry.startsWith(prefix + ".") || entry.contains("/") || entry.endsWith(".tmp")) {
      return stale(dir, prefix, "its record names no entry of its own");
    }
    Path graph = dir.resolve(entry).resolve(GRAPH);
    if (!unchanged(graph, record.getProperty("graph"))
        || !unchanged(dir.resolve(entry).resolve(WEIGHTS), record.getProperty("weights"))) {
      return stale(dir, prefix, "a file of it is missing or was changed after it was written");
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

  /** Whether the file is as its recorded stamp says; "none" records a file that is not there. */
  private static boolean unchanged(Path file, String recorded) {
    try {
      if ("none".equals(recorded)) {
        return !Files.exists(file);
      }
      return Files.isRegularFile(file) && FileStamp.of(file).equals(FileStamp.parse(recorded));
    } catch (IOException e) {
      return false;
    }
  }

  private static String stampOf(Path file) throws IOException {
    return Files.exists(file) ? FileStamp.of(file).text() : "none";
  }

  private static Path stale(Path dir, String prefix, String why) {
    log.info("optimised graph {} not used: {}; optimising again", dir.resolve(prefix), why);
    delete(dir, prefix);
    return null;
  }

  /** Deletes the record and every finished entry folder of the prefix but {@code keep}. */
  private static void delete(Path dir, String prefix) {
    try {
      Files.deleteIfExists(dir.resolve(prefix + ".properties"));
    } catch (IOException e) {
      log.debug("cannot delete the record {}: {}", dir.resolve(prefix), e.toString());
    }
    deleteEntries(dir, prefix, null);
  }

  private static void deleteEntries(Path dir, String prefix, String keep) {
    List<Path> old = new ArrayList<>();
    try (var s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().startsWith(prefix + "."))
          .filter(Files::isDirectory)
          .filter(p -> !p.getFileName().toString().equals(keep))
          // another load's, in progress, unless left by one that stopped long ago
          .filter(p -> !p.getFileName().toString().endsWith(".tmp") || abandonedLongAgo(p))
          .forEach(old::add);
    } catch (IOException | UncheckedIOException e) {
      return;
    }
    old.forEach(OptimizedGraphs::deleteFolder);
  }

  private static boolean abandonedLongAgo(Path folder) {
    try {
      return Files.getLastModifiedTime(folder).toMillis()
          < System.currentTimeMillis() - java.time.Duration.ofHours(1).toMillis();
    } catch (IOException e) {
      return false;
    }
  }

  private static void deleteFolder(Path folder) {
    try (var s = Files.list(folder)) {
      for (Path p : s.toList()) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(folder);
    } catch (IOException | UncheckedIOException e) {
      log.debug("cannot delete {}: {}", folder, e.toString());
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
   * Runtime is to write one ({@link #saveWith}), to be {@link #keep kept} once the session exists.
   */
  final class Lookup {
    private final Path artifact;
    private final FileStamp artifactStamp;
    private final GraphEnvironment env;
    private final Path dir;
    private final String prefix;
    private final Path graph;
    private Path pending;

    private Lookup(
        Path artifact,
        FileStamp artifactStamp,
        GraphEnvironment env,
        Path dir,
        String prefix,
        Path graph) {
      this.artifact = artifact;
      this.artifactStamp = artifactStamp;
      this.env = env;
      this.dir = dir;
      this.prefix = prefix;
      this.graph = graph;
    }

    /** A valid optimised graph, or null. */
    Path graph() {
      return graph;
    }

    /**
     * Has ONNX Runtime save the graph it optimises, with its weights in a file of their own, into a
     * new temporary entry folder.
     *
     * @return false when there is nowhere to keep a graph (the options are unchanged)
     */
    boolean saveWith(OrtSession.SessionOptions options) throws OrtException {
      if (dir == null || graph != null) {
        return false;
      }
      Path folder = dir.resolve(prefix + "." + UUID.randomUUID() + ".tmp");
      try {
        Files.createDirectory(folder);
      } catch (IOException e) {
        log.warn("cannot keep the optimised graph of {}: {}", artifact, e.toString());
        return false;
      }
      pending = folder;
      options.setOptimizedModelFilePath(folder.resolve(GRAPH).toString());
      options.addConfigEntry("session.save_model_format", "ONNX");
      options.addConfigEntry("session.optimized_model_external_initializers_file_name", WEIGHTS);
      // ONNX Runtime warns, on every graph it saves, that the graph may hold optimisations for this
      // machine only: the entry's name already carries the CPU, runtime version, level and
      // provider, so a graph is only ever used where it was made. Errors still show.
      options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      return true;
    }

    /**
     * Makes the graph ONNX Runtime saved into the temporary folder the entry, on {@code keeping}:
     * the load that saved it need not wait for the digest and the syncs.
     */
    void keep() {
      Path written = pending;
      pending = null;
      if (written != null) {
        keeping.execute(() -> commit(written));
      }
    }

    /**
     * Makes the graph ONNX Runtime saved the entry before returning, for a caller that made the
     * session only to keep its graph.
     */
    void keepNow() {
      Path written = pending;
      pending = null;
      if (written != null) {
        commit(written);
      }
    }

    /** Makes a saved graph the entry; best effort. */
    private void commit(Path saved) {
      Path written = saved;
      try {
        if (!Files.isRegularFile(written.resolve(GRAPH))) {
          return;
        }
        String sha = sha256(artifact);
        if (!FileStamp.of(artifact).equals(artifactStamp)) {
          log.info("{} changed while it was optimised: its graph is not kept", artifact);
          return;
        }
        sync(written.resolve(GRAPH));
        if (Files.exists(written.resolve(WEIGHTS))) {
          sync(written.resolve(WEIGHTS));
        }
        String name = written.getFileName().toString();
        Path entry = dir.resolve(name.substring(0, name.length() - ".tmp".length()));
        Files.move(written, entry, StandardCopyOption.ATOMIC_MOVE);
        written = null;
        Properties record = new Properties();
        env.fields().forEach(record::setProperty);
        record.setProperty("artifact.sha256", sha);
        record.setProperty("artifact", artifactStamp.text());
        record.setProperty("entry", entry.getFileName().toString());
        record.setProperty("graph", stampOf(entry.resolve(GRAPH)));
        record.setProperty("weights", stampOf(entry.resolve(WEIGHTS)));
        writeRecord(dir, prefix, record);
        deleteEntries(dir, prefix, entry.getFileName().toString());
      } catch (IOException | UncheckedIOException e) {
        log.warn("the optimised graph of {} is not kept: {}", artifact, e.toString());
      } finally {
        if (written != null) {
          deleteFolder(written);
        }
      }
    }

    /** Deletes a graph that was saved but is not to be kept (the session failed). */
    void abandon() {
      Path written = pending;
      pending = null;
      if (written != null) {
        deleteFolder(written);
      }
    }

    /** The graph found could not be loaded: its entry is deleted. */
    void discard(String why) {
      if (graph != null) {
        stale(graph.getParent().getParent(), prefix, why);
      }
    }
  }
}
