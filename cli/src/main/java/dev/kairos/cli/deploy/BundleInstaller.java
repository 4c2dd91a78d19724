package dev.kairos.cli.deploy;

import dev.kairos.runtime.host.TrustedPredictors;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.runtime.repository.ModelVersion;
import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.model.ModelConfigException;
import dev.kairos.sdk.model.ModelConfigParser;
import dev.kairos.sdk.oip.OipPath;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Writes a deploy {@link Bundle} into the model repository as a new model version, atomically: the
 * bundle is unpacked into a hidden staging folder of the repository (same file system), checked
 * (entry names, sizes, {@code model.yaml}, artifact), fsynced, then renamed into place. A reader of
 * the repository sees the whole version or none of it.
 */
public final class BundleInstaller {
  private static final Pattern VERSION = Pattern.compile("\\d{1,9}");
  private static final Pattern NAME_LINE = Pattern.compile("(?m)^name:.*$");

  /** In a model folder while a version is going in or out: how to take it back out. */
  static final String JOURNAL = ".deploy-journal";

  /**
   * In the repository: the digests of the Java predictor jars this platform accepted (signed by a
   * trusted key, or under {@code --trust-java-predictors}), which its runtime hosts read to decide
   * which Java predictors may share them ({@code TrustedPredictors}). A jar that was already on
   * disk is not listed: only the platform's own acceptance, or the operator's hand, puts one there.
   */
  public static Path trustedPredictors(Path repository) {
    return repository.toAbsolutePath().normalize().resolve(".trusted-predictors");
  }

  private final Path root;
  private final long maxUnpackedBytes;
  private final int maxEntries;
  private final PredictorTrust trust;

  /**
   * @param root the model repository
   * @param maxUnpackedBytes the most a bundle may unpack to
   * @param maxEntries the most entries a bundle may hold
   * @param trust which Java predictors may be installed
   */
  public BundleInstaller(Path root, long maxUnpackedBytes, int maxEntries, PredictorTrust trust) {
    if (maxUnpackedBytes < 1 || maxEntries < 1) {
      throw new IllegalArgumentException("bundle limits must be positive");
    }
    this.root = root.toAbsolutePath().normalize();
    this.maxUnpackedBytes = maxUnpackedBytes;
    this.maxEntries = maxEntries;
    this.trust = trust;
  }

  /**
   * A version now in the repository.
   *
   * @param name the model
   * @param version the version folder written
   * @param dir the version folder
   */
  public record Installed(String name, String version, Path dir, Undo undo) {}

  /** Takes an installed version (or a new model) back out, restoring {@code model.yaml}. */
  public interface Undo {
    void run() throws IOException;
  }

  /**
   * Where an uploaded bundle may be written before {@link #install}: a file of the repository's own
   * folder (so unpacking it stays on one file system) that does not exist yet, hidden from the
   * repository's readers, and deleted by {@link #recover} if a crash leaves it behind.
   */
  public Path newUpload() {
    return root.resolve(".deploy-upload-" + UUID.randomUUID() + ".zip");
  }

  /**
   * Installs a bundle (a zip file, read from disk as it is unpacked) as version {@code version}
   * (null: the next number) of model {@code name}.
   *
   * @throws BundleRejectedException 400 for a malformed bundle or model, 409 when the version
   *     exists, 413 when it unpacks too large
   */
  public synchronized Installed install(Path zip, String name, String version) throws IOException {
    if (!OipPath.isValidName(name)) {
      throw new BundleRejectedException(
          400, "model name '" + name + "' must be letters, digits, '_', '.' or '-'");
    }
    if (version != null && !VERSION.matcher(version).matches()) {
      throw new BundleRejectedException(400, "version '" + version + "' must be a number");
    }
    Path target = root.resolve(name);
    if (Files.isSymbolicLink(target)
        || (Files.exists(target) && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS))) {
      throw new BundleRejectedException(
          409, "model '" + name + "' exists in the repository but is not a plain folder");
    }
    Path staging = root.resolve(".deploy-" + UUID.randomUUID());
    Files.createDirectories(staging);
    try {
      Path staged = staging.resolve(name);
      Path files = staging.resolve("files");
      Files.createDirectories(staged);
      Files.createDirectories(files);
      byte[] signature = unpack(zip, staged, files);
      Path yaml = staged.resolve(Bundle.MODEL_YAML);
      if (!Files.exists(yaml)) {
        throw new BundleRejectedException(400, "the bundle has no model.yaml");
      }
      String text = Files.readString(yaml);
      ModelConfig config = parse(text, name);
      if (!config.name().equals(name)) {
        Files.writeString(yaml, rename(text, name));
      }
      String v = version != null ? version : nextVersion(target);
      if (Files.exists(target.resolve(v))) {
        throw new BundleRejectedException(
            409,
            "model '"
                + name
                + "' already has version "
                + v
                + "; deploy as another --version, or leave it out for the next number");
      }
      Files.move(files, staged.resolve(v));
      ModelDirectory read = check(staged, target);
      boolean java = "java".equals(read.config().engine());
      if (java) {
        trust.check(name, zip, signature);
      }
      AtomicFiles.syncTree(staging);
      Path jar = java ? read.version(v).map(ModelVersion::artifact).orElse(null) : null;
      String digest = jar == null ? null : TrustedPredictors.sha256(jar);
      Installed installed = commit(staged, target, name, v);
      if (digest != null) {
        TrustedPredictors.add(trustedPredictors(root), digest, name + " v" + v);
      }
      return installed;
    } finally {
      AtomicFiles.deleteTree(staging);
    }
  }

  private static ModelConfig parse(String text, String name) {
    try {
      return ModelConfigParser.parse(text, Path.of(Bundle.MODEL_YAML), name);
    } catch (ModelConfigException e) {
      throw new BundleRejectedException(400, e.getMessage());
    }
  }

  private static String rename(String yaml, String name) {
    Matcher m = NAME_LINE.matcher(yaml);
    return m.find() ? m.replaceFirst("name: " + name) : "name: " + name + "\n" + yaml;
  }

  /** Unpacks the bundle; returns its signature entry, or null. */
  private byte[] unpack(Path zip, Path staged, Path files) throws IOException {
    long total = 0;
    int entries = 0;
    byte[] signature = null;
    List<String> links = ZipLinks.of(zip);
    if (!links.isEmpty()) {
      throw new BundleRejectedException(
          400,
          "the bundle entry '"
              + printable(links.get(0))
              + "' is a symbolic link; a bundle holds plain files only");
    }
    try (ZipInputStream in =
        new ZipInputStream(new BufferedInputStream(Files.newInputStream(zip), 64 * 1024))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (++entries > maxEntries) {
          throw new BundleRejectedException(
              413, "the bundle has more than " + maxEntries + " entries");
        }
        if (e.getName().equals(Bundle.SIGNATURE)) {
          if (signature != null) {
            throw new BundleRejectedException(400, "the bundle holds two signatures");
          }
          signature = in.readNBytes(4096);
          continue;
        }
        Path dest = destination(e.getName(), staged, files);
        if (e.isDirectory()) {
          Files.createDirectories(dest);
          continue;
        }
        Files.createDirectories(dest.getParent());
        try (OutputStream out = Files.newOutputStream(dest, StandardOpenOption.CREATE_NEW)) {
          total += copy(in, out, maxUnpackedBytes - total);
        }
      }
    } catch (java.util.zip.ZipException ex) {
      throw new BundleRejectedException(400, "the bundle is not a valid zip: " + ex.getMessage());
    } catch (java.nio.file.FileAlreadyExistsException ex) {
      throw new BundleRejectedException(400, "the bundle holds a file twice: " + ex.getFile());
    }
    if (entries == 0) {
      throw new BundleRejectedException(400, "the bundle is empty or not a zip");
    }
    return signature;
  }

  /** Where an entry goes; refuses any name that could leave the staging folder. */
  private static Path destination(String entry, Path staged, Path files) {
    String n = entry.endsWith("/") ? entry.substring(0, entry.length() - 1) : entry;
    boolean bad =
        n.isEmpty()
            || n.startsWith("/")
            || n.contains("\\")
            || n.contains(":")
            || n.contains("\0")
            || Stream.of(n.split("/", -1))
                .anyMatch(x -> x.isEmpty() || x.equals(".") || x.equals(".."));
    if (bad) {
      throw new BundleRejectedException(
          400, "the bundle entry '" + printable(entry) + "' is not allowed");
    }
    String filesDir = Bundle.FILES.substring(0, Bundle.FILES.length() - 1);
    if (n.equals(Bundle.MODEL_YAML)) {
      return staged.resolve(Bundle.MODEL_YAML);
    }
    if (n.equals(filesDir)) {
      return files;
    }
    if (!n.startsWith(Bundle.FILES)) {
      throw new BundleRejectedException(
          400,
          "the bundle entry '"
              + printable(entry)
              + "' is not allowed: a bundle holds model.yaml and files/...");
    }
    Path dest = files.resolve(n.substring(Bundle.FILES.length())).normalize();
    if (!dest.startsWith(files)) {
      throw new BundleRejectedException(
          400, "the bundle entry '" + printable(entry) + "' leaves its folder");
    }
    return dest;
  }

  private static long copy(InputStream in, OutputStream out, long budget) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long n = 0;
    int r;
    while ((r = in.read(buf)) > 0) {
      n += r;
      if (n > budget) {
        throw new BundleRejectedException(413, "the bundle unpacks to more than the allowed size");
      }
      out.write(buf, 0, r);
    }
    return n;
  }

  private static String nextVersion(Path target) throws IOException {
    if (!Files.isDirectory(target)) {
      return "1";
    }
    try (Stream<Path> s = Files.list(target)) {
      long max =
          s.map(p -> p.getFileName().toString())
              .filter(x -> VERSION.matcher(x).matches())
              .mapToLong(Long::parseLong)
              .max()
              .orElse(0);
      return Long.toString(max + 1);
    }
  }

  /** The staged model must read as the repository would read it, before it goes in. */
  private ModelDirectory check(Path staged, Path target) {
    ModelDirectory d = ModelRepository.read(staged);
    if (!d.ok()) {
      String why = d.error().replace(staged.toString(), target.toString());
      throw new BundleRejectedException(400, why);
    }
    return d;
  }

  private Installed commit(Path staged, Path target, String name, String v) throws IOException {
    if (!Files.exists(target)) {
      AtomicFiles.move(staged, target);
      return new Installed(name, v, target.resolve(v), () -> undeploy(name, null));
    }
    Path yaml = target.resolve(Bundle.MODEL_YAML);
    byte[] previous = Files.exists(yaml) ? Files.readAllBytes(yaml) : null;
    // The journal says how to go back; recover() finishes the way back after a crash, so the
    // repository holds the old version until the journal is gone and the new one after.
    writeJournal(target, v, previous);
    Files.move(staged.resolve(v), target.resolve(v), StandardCopyOption.ATOMIC_MOVE);
    Files.move(
        staged.resolve(Bundle.MODEL_YAML),
        yaml,
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    AtomicFiles.syncDir(target);
    Files.delete(target.resolve(JOURNAL));
    AtomicFiles.syncDir(target);
    return new Installed(name, v, target.resolve(v), () -> rollBack(target, v, previous));
  }

  /**
   * Takes a model (version null) or one version of it out of the repository, atomically. A version
   * that {@code model.yaml}'s traffic names, or a model's last version, is refused (409): take the
   * whole model out instead.
   *
   * @throws BundleRejectedException 400 for a bad name, 404 when there is nothing to remove
   */
  public synchronized void undeploy(String name, String version) throws IOException {
    if (!OipPath.isValidName(name)) {
      throw new BundleRejectedException(
          400, "model name '" + name + "' must be letters, digits, '_', '.' or '-'");
    }
    if (version != null && !VERSION.matcher(version).matches()) {
      throw new BundleRejectedException(400, "version '" + version + "' must be a number");
    }
    Path target = root.resolve(name);
    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new BundleRejectedException(404, "the model repository has no model '" + name + "'");
    }
    if (version == null) {
      Path trash = root.resolve(".undeploy-" + UUID.randomUUID());
      AtomicFiles.move(target, trash);
      AtomicFiles.deleteTree(trash);
      return;
    }
    if (!Files.isDirectory(target.resolve(version), LinkOption.NOFOLLOW_LINKS)) {
      throw new BundleRejectedException(
          404, "model '" + name + "' has no version " + version + " in the repository");
    }
    ModelDirectory d = ModelRepository.read(target);
    if (d.ok() && d.config().traffic().containsKey(version)) {
      throw new BundleRejectedException(
          409,
          "model.yaml of '" + name + "' sends traffic to version " + version + "; change it first");
    }
    if (d.ok() && d.versions().size() == 1) {
      throw new BundleRejectedException(
          409,
          "version "
              + version
              + " is the last of model '"
              + name
              + "'; undeploy the model instead");
    }
    Path yaml = target.resolve(Bundle.MODEL_YAML);
    rollBack(target, version, Files.exists(yaml) ? Files.readAllBytes(yaml) : null);
  }

  /**
   * Writes scaling knobs into a model's {@code model.yaml} atomically, keeping its other lines, and
   * checks that the file now reads as {@code expected}.
   *
   * @param modelDir the model's folder in the repository
   * @param knobs the knobs to write, by their {@code model.yaml} names
   * @param expected what the model's scaling section must read as afterwards
   */
  public synchronized void writeScaling(
      Path modelDir, Map<String, Object> knobs, dev.kairos.sdk.model.ScalingConfig expected)
      throws IOException {
    writeKnobs(modelDir, knobs, expected, Map.of(), null, null);
  }

  /**
   * As {@link #writeScaling(Path, Map, dev.kairos.sdk.model.ScalingConfig)}, with batching knobs
   * too, and only over the content a caller read earlier: when {@code model.yaml} no longer hashes
   * to {@code expectedSha256}, nothing is written.
   *
   * @param batchingKnobs batching knobs to write (may be empty)
   * @param expectedBatching what the batching section must read as afterwards (null: unchecked)
   * @param expectedSha256 hex SHA-256 of the {@code model.yaml} the caller decided from (an empty
   *     file when there was none); null to write whatever it holds now
   * @throws ModelChangedException when the file changed since
   */
  public synchronized void writeKnobs(
      Path modelDir,
      Map<String, Object> knobs,
      dev.kairos.sdk.model.ScalingConfig expected,
      Map<String, Object> batchingKnobs,
      dev.kairos.sdk.model.BatchingConfig expectedBatching,
      String expectedSha256)
      throws IOException {
    Path yaml = modelYaml(modelDir);
    String name = yaml.getParent().getFileName().toString();
    String before = Files.exists(yaml) ? Files.readString(yaml) : "";
    if (expectedSha256 != null && !expectedSha256.equals(sha256(before))) {
      throw new ModelChangedException(
          "model.yaml of '" + name + "' changed since it was read; not overwritten");
    }
    String after = knobs.isEmpty() ? before : ModelYamlEditor.withScaling(before, knobs);
    if (!ModelConfigParser.parse(after, yaml, name).scaling().equals(expected)) {
      // a knob the file leaves implicit (e.g. a clamped initialScale) reads differently: write all
      after = ModelYamlEditor.withScaling(before, expected.knobs());
    }
    if (!ModelConfigParser.parse(after, yaml, name).scaling().equals(expected)) {
      throw new IllegalStateException("model.yaml of '" + name + "' would not read as " + expected);
    }
    if (!batchingKnobs.isEmpty()) {
      after = ModelYamlEditor.withSection(after, "batching", batchingKnobs);
      if (expectedBatching != null
          && !ModelConfigParser.parse(after, yaml, name).batching().equals(expectedBatching)) {
        throw new IllegalStateException(
            "model.yaml of '" + name + "' would not read as " + expectedBatching);
      }
    }
    AtomicFiles.write(yaml, after.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes a traffic split into a model's {@code model.yaml} the way {@link #writeScaling} writes
   * knobs: atomically, keeping its other lines, and only once the new text reads as {@code weights}
   * under {@code model.yaml}'s rules.
   *
   * @param modelDir the model's folder in the repository
   * @param weights version → weight; empty sends everything to the highest version
   * @throws ModelConfigException when the split breaks a rule of {@code model.yaml} (integer
   *     weights from 0 to 100 adding up to 100); nothing is written then
   */
  public synchronized void writeTraffic(Path modelDir, Map<String, Integer> weights)
      throws IOException {
    Path yaml = modelYaml(modelDir);
    String name = yaml.getParent().getFileName().toString();
    String before = Files.exists(yaml) ? Files.readString(yaml) : "";
    String after = ModelYamlEditor.withTraffic(before, weights);
    ModelConfig read = ModelConfigParser.parse(after, yaml, name);
    if (!read.traffic().equals(weights)) {
      throw new IllegalStateException(
          "model.yaml of '" + name + "' would not read as traffic " + weights);
    }
    AtomicFiles.write(yaml, after.getBytes(StandardCharsets.UTF_8));
  }

  /** The {@code model.yaml} of a model folder of this repository (not through a link). */
  private Path modelYaml(Path modelDir) {
    Path dir = modelDir.toAbsolutePath().normalize();
    if (!dir.getParent().equals(root) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new BundleRejectedException(404, dir + " is not a model folder of " + root);
    }
    return dir.resolve(Bundle.MODEL_YAML);
  }

  /**
   * Finishes what a crash interrupted: a journalled version is taken back out (its model.yaml
   * restored), and left-over staging and trash folders are deleted. Call before serving.
   *
   * @return what was repaired, one line each
   */
  public synchronized List<String> recover() throws IOException {
    List<String> repaired = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return repaired;
    }
    try (Stream<Path> s = Files.list(root)) {
      for (Path p : s.toList()) {
        String f = p.getFileName().toString();
        if (f.startsWith(".deploy-") || f.startsWith(".undeploy-")) {
          String what = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "folder " : "upload ";
          AtomicFiles.deleteTree(p);
          repaired.add("deleted the interrupted deploy " + what + p);
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          if (Files.isRegularFile(p.resolve(JOURNAL), LinkOption.NOFOLLOW_LINKS)) {
            String v = finishRollBack(p);
            repaired.add(
                "took back version " + v + " of " + f + " (a deploy or undeploy was interrupted)");
          }
          try (Stream<Path> files = Files.list(p)) {
            for (Path t : files.filter(x -> AtomicFiles.isTemporary(x)).toList()) {
              Files.deleteIfExists(t);
              repaired.add("deleted the unfinished write " + t);
            }
          }
        }
      }
    }
    return repaired;
  }

  private void rollBack(Path target, String v, byte[] previousYaml) throws IOException {
    writeJournal(target, v, previousYaml);
    finishRollBack(target);
  }

  private static void writeJournal(Path target, String v, byte[] previousYaml) throws IOException {
    Properties p = new Properties();
    p.setProperty("version", v);
    if (previousYaml != null) {
      p.setProperty("previousModelYaml", Base64.getEncoder().encodeToString(previousYaml));
    }
    java.io.StringWriter w = new java.io.StringWriter();
    p.store(w, "kairos deploy journal: version to take back out and model.yaml to restore");
    AtomicFiles.write(target.resolve(JOURNAL), w.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Restores model.yaml, moves the version out, deletes the journal; each step repeatable. */
  private String finishRollBack(Path target) throws IOException {
    Properties p = new Properties();
    try (java.io.Reader r = Files.newBufferedReader(target.resolve(JOURNAL))) {
      p.load(r);
    }
    String v = p.getProperty("version");
    String yaml = p.getProperty("previousModelYaml");
    if (v == null || !VERSION.matcher(v).matches()) {
      throw new IOException(target.resolve(JOURNAL) + " names no version");
    }
    if (yaml != null) {
      AtomicFiles.write(target.resolve(Bundle.MODEL_YAML), Base64.getDecoder().decode(yaml));
    } else {
      Files.deleteIfExists(target.resolve(Bundle.MODEL_YAML));
    }
    if (Files.exists(target.resolve(v), LinkOption.NOFOLLOW_LINKS)) {
      Path trash = root.resolve(".undeploy-" + UUID.randomUUID());
      AtomicFiles.move(target.resolve(v), trash);
      AtomicFiles.deleteTree(trash);
    }
    Files.deleteIfExists(target.resolve(JOURNAL));
    AtomicFiles.syncDir(target);
    return v;
  }

  /** Hex SHA-256 of a {@code model.yaml}'s text, as {@link #writeScaling} compares it. */
  public static String sha256(String text) {
    try {
      byte[] d =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(text.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A {@code model.yaml} changed between the read a decision came from and the write. */
  public static final class ModelChangedException extends IOException {
    ModelChangedException(String message) {
      super(message);
    }
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 120; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }
}
