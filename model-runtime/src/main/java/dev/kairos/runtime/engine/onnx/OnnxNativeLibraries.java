package dev.kairos.runtime.engine.onnx;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Locale;
import java.util.Optional;

/**
 * ONNX Runtime's native libraries as the build unpacked them, beside the class path's {@code lib/}
 * folder: {@code native/<onnxruntime jar's name>/<platform>/}. Pointed there, ONNX Runtime loads
 * them in place instead of unpacking them from its jar into a new temporary folder on every start,
 * which costs a fresh process CPU time on its way to its first answer, and lets every replica map
 * the same files.
 */
public final class OnnxNativeLibraries {
  /** ONNX Runtime's own system property for the folder holding its libraries. */
  static final String PROPERTY = "onnxruntime.native.path";

  private OnnxNativeLibraries() {}

  /**
   * Points ONNX Runtime at the unpacked libraries, when they are there and nothing chose already.
   * Must run before ONNX Runtime first loads; where the libraries are missing, it unpacks them
   * itself as before.
   */
  public static void preferUnpacked() {
    if (System.getProperty(PROPERTY) != null) {
      return;
    }
    try {
      CodeSource source = ai.onnxruntime.OrtEnvironment.class.getProtectionDomain().getCodeSource();
      if (source == null) {
        return;
      }
      Path jar = Path.of(source.getLocation().toURI());
      unpacked(jar, System.getProperty("os.name"), System.getProperty("os.arch"))
          .ifPresent(dir -> System.setProperty(PROPERTY, dir.toString()));
    } catch (URISyntaxException | RuntimeException e) {
      // no usable location: ONNX Runtime unpacks its libraries itself
    }
  }

  /** The folder of the libraries for this platform unpacked from {@code jar}, if complete. */
  static Optional<Path> unpacked(Path jar, String os, String arch) {
    String platform = platform(os, arch);
    Path lib = jar.getParent();
    if (platform == null || lib == null || lib.getParent() == null) {
      return Optional.empty();
    }
    String name = jar.getFileName().toString();
    if (!name.endsWith(".jar")) {
      return Optional.empty();
    }
    Path dir =
        lib.resolveSibling("native")
            .resolve(name.substring(0, name.length() - 4))
            .resolve(platform)
            .toAbsolutePath();
    boolean complete =
        Files.isRegularFile(dir.resolve("libonnxruntime.so"))
            && Files.isRegularFile(dir.resolve("libonnxruntime4j_jni.so"));
    return complete ? Optional.of(dir) : Optional.empty();
  }

  /**
   * ONNX Runtime's name for the platform's folder in its jar; null where the build unpacks none.
   */
  private static String platform(String os, String arch) {
    if (os == null || arch == null || !os.toLowerCase(Locale.ROOT).startsWith("linux")) {
      return null;
    }
    return switch (arch) {
      case "amd64", "x86_64" -> "linux-x64";
      case "aarch64" -> "linux-aarch64";
      default -> null;
    };
  }
}
