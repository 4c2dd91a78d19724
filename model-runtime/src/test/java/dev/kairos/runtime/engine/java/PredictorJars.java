package dev.kairos.runtime.engine.java;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Compiles predictor sources and packs them into a jar, as a model developer's build would. */
public final class PredictorJars {
  private PredictorJars() {}

  /**
   * @param sources fully qualified class name to source
   * @param services contents of META-INF/services/dev.kairos.sdk.predictor.Predictor, or null
   */
  public static Path build(Path dir, Map<String, String> sources, String services)
      throws IOException {
    Path src = Files.createDirectories(dir.resolve("src"));
    Path classes = Files.createDirectories(dir.resolve("classes"));
    String[] args = new String[sources.size() + 4];
    int i = 0;
    args[i++] = "-d";
    args[i++] = classes.toString();
    args[i++] = "-cp";
    args[i++] = System.getProperty("java.class.path");
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path f = src.resolve(e.getKey().replace('.', '/') + ".java");
      Files.createDirectories(f.getParent());
      Files.writeString(f, e.getValue());
      args[i++] = f.toString();
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac.run(null, null, null, args) != 0) {
      throw new IllegalStateException("predictor sources do not compile");
    }
    Path jar = Files.createDirectories(dir.resolve("1")).resolve("predictor.jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        j.write(Files.readAllBytes(f));
        j.closeEntry();
      }
      if (services != null) {
        j.putNextEntry(new JarEntry("META-INF/services/dev.kairos.sdk.predictor.Predictor"));
        j.write(services.getBytes(StandardCharsets.UTF_8));
        j.closeEntry();
      }
    }
    return jar;
  }

  static List<String> lines(String... l) {
    return List.of(l);
  }
}
