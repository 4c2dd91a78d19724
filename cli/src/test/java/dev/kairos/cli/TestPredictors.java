package dev.kairos.cli;

import dev.kairos.sdk.predictor.Predictor;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Writes a Java model into a repository as its developer would: {@code model.yaml} and a jar in
 * {@code 1/} holding one predictor class compiled from source.
 */
final class TestPredictors {
  private TestPredictors() {}

  /**
   * A model of FP32 {@code x [-1, 2]} to FP32 {@code y [-1, 2]} whose predictor is {@code body}.
   */
  static Path write(Path repo, String model, String className, String classBody)
      throws IOException {
    Path dir = Files.createDirectories(repo.resolve(model));
    Path build = Files.createTempDirectory("predictor-" + model);
    Path src = build.resolve("src/test/" + className + ".java");
    Files.createDirectories(src.getParent());
    Files.writeString(
        src,
        "package test;\n"
            + "import dev.kairos.sdk.predictor.*;\n"
            + "import dev.kairos.sdk.oip.*;\n"
            + "import dev.kairos.sdk.tensor.*;\n"
            + "import java.util.*;\n"
            + "public class "
            + className
            + " implements Predictor {\n"
            + classBody
            + "\n}\n");
    Path classes = Files.createDirectories(build.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    String cp = location(Predictor.class) + File.pathSeparator + location(Files.class);
    if (javac.run(null, null, null, "-d", classes.toString(), "-cp", cp, src.toString()) != 0) {
      throw new IllegalStateException("predictor " + className + " does not compile");
    }
    Path jar = Files.createDirectories(dir.resolve("1")).resolve(model + ".jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        j.write(Files.readAllBytes(f));
        j.closeEntry();
      }
    }
    Files.writeString(
        dir.resolve("model.yaml"),
        "name: "
            + model
            + "\nengine: java\n"
            + "inputs:  [{name: x, datatype: FP32, shape: [-1, 2]}]\n"
            + "outputs: [{name: y, datatype: FP32, shape: [-1, 2]}]\n"
            + "options: {class: test."
            + className
            + "}\n"
            + "batching: {maxBatchSize: 1, maxQueueDelay: 0ms, maxQueueSize: 64}\n");
    return dir;
  }

  /** The request that models written here take. */
  static String request() {
    return "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,2]}]}";
  }

  private static String location(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException | NullPointerException e) {
      return System.getProperty("java.class.path");
    }
  }
}
