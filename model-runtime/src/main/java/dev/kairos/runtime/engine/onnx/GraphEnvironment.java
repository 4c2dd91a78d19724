package dev.kairos.runtime.engine.onnx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What an optimised graph is valid for besides the model it came from: the ONNX Runtime version
 * (its optimisers and its contrib operators change between versions), the optimisation level, the
 * execution provider, and the CPU. Above the extended level ONNX Runtime rewrites convolutions into
 * its blocked NCHWc layout, whose block size follows the CPU's vector width, so a graph optimised
 * on one CPU may be wrong or slow on another; the CPU is named by its vendor, model and feature
 * flags.
 */
record GraphEnvironment(String onnxRuntime, String level, String provider, String cpu) {
  /** The fields in the order they are written. */
  Map<String, String> fields() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("onnxruntime", onnxRuntime);
    m.put("level", level);
    m.put("provider", provider);
    m.put("cpu", cpu);
    return m;
  }

  /** A short name for the environment, part of the cache files' names. */
  String id() {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(fields().toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The CPU as {@code /proc/cpuinfo}'s first processor describes it (vendor, model name, flags), or
   * null where that file cannot be read: without it the cache is not used.
   */
  static String thisCpu(Path cpuinfo) {
    List<String> lines;
    try (Stream<String> s = Files.lines(cpuinfo)) {
      lines = s.takeWhile(l -> !l.isBlank()).toList();
    } catch (IOException | java.io.UncheckedIOException e) {
      return null;
    }
    StringBuilder b = new StringBuilder(System.getProperty("os.arch"));
    for (String key : List.of("vendor_id", "model name", "flags", "Features", "CPU part")) {
      for (String l : lines) {
        int colon = l.indexOf(':');
        if (colon > 0 && l.substring(0, colon).trim().equals(key)) {
          b.append('|').append(key).append('=').append(l.substring(colon + 1).trim());
        }
      }
    }
    return b.length() == System.getProperty("os.arch").length() ? null : b.toString();
  }
}
