package dev.kairos.cli.deploy;

import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.model.ModelConfigException;
import dev.kairos.sdk.model.ModelConfigParser;
import dev.kairos.sdk.oip.OipPath;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
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

  private final Path root;
  private final long maxUnpackedBytes;
  private final int maxEntries;

  /**
   * @param root the model repository
   * @param maxUnpackedBytes the most a bundle may unpack to
   * @param maxEntries the most entries a bundle may hold
   */
  public BundleInstaller(Path root, long maxUnpackedBytes, int maxEntries) {
    if (maxUnpackedBytes < 1 || maxEntries < 1) {
      throw new IllegalArgumentException("bundle limits must be positive");
    }
    this.root = root.toAbsolutePath().normalize();
    this.maxUnpackedBytes = maxUnpackedBytes;
    this.maxEntries = maxEntries;
  }

  /**
   * A version now in the repository.
   *
   * @param name the model
   * @param version the version folder written
   * @param dir the version folder
   */
  public record Installed(String name, String version, Path dir, Undo undo) {}

  /** Takes an installed version back out, restoring the previous {@code model.yaml}. */
  public interface Undo {
    void run() throws IOException;
  }

  /**
   * Installs a bundle as version {@code version} (null: the next number) of model {@code name}.
   *
   * @throws BundleRejectedException 400 for a malformed bundle or model, 409 when the version
   *     exists, 413 when it unpacks too large
   */
  public synchronized Installed install(byte[] zip, String name, String version)
      throws IOException {
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
      unpack(zip, staged, files);
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
      check(staged, target);
      syncTree(staging);
      return commit(staged, target, name, v);
    } finally {
      deleteTree(staging);
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

  private void unpack(byte[] zip, Path staged, Path files) throws IOException {
    long total = 0;
    int entries = 0;
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (++entries > maxEntries) {
          throw new BundleRejectedException(
              413, "the bundle has more than " + maxEntries + " entries");
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
  private void check(Path staged, Path target) {
    ModelDirectory d = ModelRepository.read(staged);
    if (!d.ok()) {
      String why = d.error().replace(staged.toString(), target.toString());
      throw new BundleRejectedException(400, why);
    }
  }

  private Installed commit(Path staged, Path target, String name, String v) throws IOException {
    if (!Files.exists(target)) {
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
      syncDir(root);
      return new Installed(name, v, target.resolve(v), () -> removeModel(target));
    }
    Path yaml = target.resolve(Bundle.MODEL_YAML);
    byte[] previous = Files.exists(yaml) ? Files.readAllBytes(yaml) : null;
    Files.move(staged.resolve(v), target.resolve(v), StandardCopyOption.ATOMIC_MOVE);
    Files.move(
        staged.resolve(Bundle.MODEL_YAML),
        yaml,
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    syncDir(target);
    return new Installed(name, v, target.resolve(v), () -> removeVersion(target, v, previous));
  }

  private void removeModel(Path target) throws IOException {
    Path trash = root.resolve(".undeploy-" + UUID.randomUUID());
    Files.move(target, trash, StandardCopyOption.ATOMIC_MOVE);
    syncDir(root);
    deleteTree(trash);
  }

  private void removeVersion(Path target, String v, byte[] previousYaml) throws IOException {
    Path trash = root.resolve(".undeploy-" + UUID.randomUUID());
    Files.move(target.resolve(v), trash, StandardCopyOption.ATOMIC_MOVE);
    Path yaml = target.resolve(Bundle.MODEL_YAML);
    if (previousYaml == null) {
      Files.deleteIfExists(yaml);
    } else {
      Path tmp = target.resolve(".model.yaml." + UUID.randomUUID());
      try (FileChannel c =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        c.write(java.nio.ByteBuffer.wrap(previousYaml));
        c.force(true);
      }
      Files.move(tmp, yaml, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    syncDir(target);
    deleteTree(trash);
  }

  private static void syncTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          syncDir(p);
        } else {
          try (FileChannel c = FileChannel.open(p, StandardOpenOption.WRITE)) {
            c.force(true);
          }
        }
      }
    }
  }

  private static void syncDir(Path dir) {
    // fsync of a directory makes renames in it durable; not every platform allows it.
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    } catch (IOException ignored) {
      // best effort where directories cannot be opened
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
