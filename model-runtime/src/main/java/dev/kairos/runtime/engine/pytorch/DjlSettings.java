package dev.kairos.runtime.engine.pytorch;

import java.nio.file.Path;

/**
 * The system properties DJL reads once, when its PyTorch engine first starts. They are set here,
 * before that, so a replica runs offline and with its thread budget whatever JVM options it was
 * started with; a value the operator set explicitly wins.
 */
final class DjlSettings {
  private DjlSettings() {}

  static void apply(int threads) {
    setIfAbsent("ai.djl.offline", "true");
    // The TorchScript profiling executor re-optimises the graph on the first calls: slow, and
    // variable in time. Off, the first request is as fast as the rest.
    setIfAbsent("ai.djl.pytorch.graph_optimizer", "false");
    setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(threads));
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    if (System.getenv("ENGINE_CACHE_DIR") == null) {
      setIfAbsent(
          "ENGINE_CACHE_DIR",
          Path.of(System.getProperty("user.home"), ".kairos", "djl-engines").toString());
    }
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
