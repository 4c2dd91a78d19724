package dev.kairos.cli.deploy;

import dev.kairos.sdk.model.ModelConfigParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * What {@code kairos deploy} uploads: a zip holding {@code model.yaml} and, under {@code files/},
 * the files of one model version. Made from a model directory (its highest numbered version folder,
 * or its own files when it has none) or from a predictor jar carrying {@code model.yaml}.
 *
 * @param name the model name the bundle declares (model.yaml's {@code name}, else the folder's)
 * @param zip the bundle
 * @param files how many files of the version it holds
 * @param bytes their total size
 */
public record Bundle(String name, byte[] zip, int files, long bytes) {
  /** The entry holding the model configuration. */
  public static final String MODEL_YAML = "model.yaml";

  /** The folder of the version's files inside the zip. */
  public static final String FILES = "files/";

  /** The entry holding the bundle's signature (base64 Ed25519), when it is signed. */
  public static final String SIGNATURE = "kairos.sig";

  /** This bundle with a signature entry by {@code key} (see {@link BundleSignature}). */
  public Bundle signedWith(java.security.PrivateKey key)
      throws IOException, java.security.GeneralSecurityException {
    byte[] signature = BundleSignature.sign(BundleSignature.digest(zip), key);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out);
        java.util.zip.ZipInputStream in =
            new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (!e.getName().equals(SIGNATURE)) {
          put(z, e.getName(), in.readAllBytes());
        }
      }
      put(z, SIGNATURE, signature);
    }
    return new Bundle(name, out.toByteArray(), files, bytes);
  }

  /**
   * Packs a model directory or a jar.
   *
   * @throws IllegalArgumentException saying what is wrong with the path
   */
  public static Bundle of(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      return ofDirectory(path);
    }
    if (Files.isRegularFile(path) && path.getFileName().toString().endsWith(".jar")) {
      return ofJar(path);
    }
    throw new IllegalArgumentException(
        path + " is neither a model directory (holding model.yaml) nor a .jar file");
  }

  private static Bundle ofDirectory(Path dir) throws IOException {
    Path yaml = dir.resolve(MODEL_YAML);
    if (!Files.isRegularFile(yaml, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException(dir + " has no model.yaml");
    }
    Path versionDir = latestVersion(dir);
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(versionDir)) {
      for (Path p : s.sorted().toList()) {
        if (Files.isSymbolicLink(p)) {
          throw new IllegalArgumentException(p + " is a symbolic link; copy the file instead");
        }
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        Path rel = versionDir.relativize(p);
        if (versionDir.equals(dir)
            && (rel.equals(Path.of(MODEL_YAML)) || rel.startsWith("golden"))) {
          continue;
        }
        files.add(p);
      }
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException(versionDir + " holds no files to deploy");
    }
    String name =
        nameOf(
            Files.readString(yaml),
            yaml,
            dir.toAbsolutePath().normalize().getFileName().toString());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long bytes = 0;
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      put(zip, MODEL_YAML, Files.readAllBytes(yaml));
      for (Path p : files) {
        byte[] data = Files.readAllBytes(p);
        bytes += data.length;
        put(zip, FILES + versionDir.relativize(p).toString().replace('\\', '/'), data);
      }
    }
    return new Bundle(name, out.toByteArray(), files.size(), bytes);
  }

  private static Bundle ofJar(Path jar) throws IOException {
    byte[] yaml;
    try (ZipFile z = new ZipFile(jar.toFile())) {
      ZipEntry e = z.getEntry(MODEL_YAML);
      if (e == null) {
        throw new IllegalArgumentException(
            jar + " carries no model.yaml at its root; deploy the model directory instead");
      }
      try (InputStream in = z.getInputStream(e)) {
        yaml = in.readAllBytes();
      }
    }
    String base = jar.getFileName().toString().replaceAll("\\.jar$", "");
    String name = nameOf(new String(yaml, java.nio.charset.StandardCharsets.UTF_8), jar, base);
    byte[] data = Files.readAllBytes(jar);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      put(zip, MODEL_YAML, yaml);
      put(zip, FILES + jar.getFileName(), data);
    }
    return new Bundle(name, out.toByteArray(), 1, data.length);
  }

  private static String nameOf(String yaml, Path where, String fallback) {
    return ModelConfigParser.parse(yaml, where, fallback).name();
  }

  private static Path latestVersion(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
          .filter(p -> p.getFileName().toString().matches("\\d{1,9}"))
          .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString())))
          .orElse(dir);
    }
  }

  private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(data);
    zip.closeEntry();
  }
}
