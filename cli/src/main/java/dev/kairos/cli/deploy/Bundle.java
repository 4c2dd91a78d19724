package dev.kairos.cli.deploy;

import dev.kairos.runtime.engine.onnx.OptimizedGraphs;
import dev.kairos.sdk.model.ModelConfigParser;
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
 * <p>The zip is a temporary file, written by streaming the model's files into it, so a model of any
 * size is packed and uploaded without being held in memory; {@link #close} deletes it. Entries are
 * stored without compression: model weights barely compress, and deflating hundreds of megabytes
 * would cost the deploy more time than it saves on the wire.
 *
 * @param name the model name the bundle declares (model.yaml's {@code name}, else the folder's)
 * @param zip the bundle, a temporary file
 * @param files how many files of the version it holds
 * @param bytes their total size
 */
public record Bundle(String name, Path zip, int files, long bytes) implements AutoCloseable {
  /** The entry holding the model configuration. */
  public static final String MODEL_YAML = "model.yaml";

  /** The folder of the version's files inside the zip. */
  public static final String FILES = "files/";

  /** The entry holding the bundle's signature (base64 Ed25519), when it is signed. */
  public static final String SIGNATURE = "kairos.sig";

  /**
   * This bundle with a signature entry by {@code key} (see {@link BundleSignature}), in a new
   * temporary file; this one stays as it is.
   */
  public Bundle signedWith(java.security.PrivateKey key)
      throws IOException, java.security.GeneralSecurityException {
    byte[] signature = BundleSignature.sign(BundleSignature.digest(zip), key);
    Path signed = temporaryZip();
    try (ZipOutputStream z = open(signed);
        java.util.zip.ZipInputStream in =
            new java.util.zip.ZipInputStream(
                new java.io.BufferedInputStream(Files.newInputStream(zip)))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (!e.getName().equals(SIGNATURE)) {
          z.putNextEntry(new ZipEntry(e.getName()));
          in.transferTo(z);
          z.closeEntry();
        }
      }
      put(z, SIGNATURE, signature);
    } catch (IOException | RuntimeException ex) {
      Files.deleteIfExists(signed);
      throw ex;
    }
    return new Bundle(name, signed, files, bytes);
  }

  /** Deletes the temporary zip. */
  @Override
  public void close() throws IOException {
    Files.deleteIfExists(zip);
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
        if (rel.startsWith(OptimizedGraphs.FOLDER)) {
          continue; // optimised for this machine, and made again wherever the model is loaded
        }
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
    Path out = temporaryZip();
    long bytes = 0;
    try (ZipOutputStream zip = open(out)) {
      put(zip, MODEL_YAML, Files.readAllBytes(yaml));
      for (Path p : files) {
        bytes += put(zip, FILES + versionDir.relativize(p).toString().replace('\\', '/'), p);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(out);
      throw e;
    }
    return new Bundle(name, out, files.size(), bytes);
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
    Path out = temporaryZip();
    long bytes;
    try (ZipOutputStream zip = open(out)) {
      put(zip, MODEL_YAML, yaml);
      bytes = put(zip, FILES + jar.getFileName(), jar);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(out);
      throw e;
    }
    return new Bundle(name, out, 1, bytes);
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

  private static Path temporaryZip() throws IOException {
    return Files.createTempFile("kairos-bundle-", ".zip");
  }

  private static ZipOutputStream open(Path file) throws IOException {
    ZipOutputStream zip =
        new ZipOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    zip.setLevel(java.util.zip.Deflater.NO_COMPRESSION);
    return zip;
  }

  /** Streams a file into the zip; returns its size. */
  private static long put(ZipOutputStream zip, String name, Path file) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    long n = Files.copy(file, zip);
    zip.closeEntry();
    return n;
  }

  private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(data);
    zip.closeEntry();
  }
}
