import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Where a ResNet-18 load's time goes in ONNX Runtime alone (no serve, no host): session creation
 * with the runtime's options (one intra-op thread, ALL_OPT), creation of a session from the
 * optimized graph ALL_OPT saved (NO_OPT), and BASIC_OPT; each followed by three runs of one
 * 1x3x224x224 image, three rounds, after one untimed creation.
 *
 * <pre>
 * java -cp "cli/target/lib/*" tools/bench/hosts/OrtSessionCreate.java tools/bench/models/resnet18/1/model.onnx
 * </pre>
 */
public class OrtSessionCreate {
  static final OrtEnvironment ENV = dev.kairos.generative.ort.OnnxEnvironment.get();

  static double ms(long t0) {
    return (System.nanoTime() - t0) / 1e6;
  }

  static void one(String label, String path, OrtSession.SessionOptions.OptLevel level, Path saveTo)
      throws Exception {
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(1);
      o.setInterOpNumThreads(1);
      o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      o.setOptimizationLevel(level);
      if (saveTo != null) {
        o.setOptimizedModelFilePath(saveTo.toString());
      }
      long t0 = System.nanoTime();
      try (OrtSession s = ENV.createSession(path, o)) {
        double create = ms(t0);
        float[] x = new float[3 * 224 * 224];
        double[] runs = new double[3];
        for (int i = 0; i < runs.length; i++) {
          long t1 = System.nanoTime();
          try (OnnxTensor t =
                  OnnxTensor.createTensor(ENV, FloatBuffer.wrap(x), new long[] {1, 3, 224, 224});
              OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), t))) {
            r.get(0);
          }
          runs[i] = ms(t1);
        }
        System.out.printf(
            Locale.ROOT,
            "%-24s create %7.1f ms  run1 %6.1f  run2 %6.1f  run3 %6.1f%n",
            label, create, runs[0], runs[1], runs[2]);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    String model = args[0];
    Path optimized = Files.createTempFile("resnet-optimized-", ".onnx");
    try {
      one("untimed first", model, OrtSession.SessionOptions.OptLevel.ALL_OPT, null);
      for (int r = 0; r < 3; r++) {
        one("ALL_OPT (the runtime's)", model, OrtSession.SessionOptions.OptLevel.ALL_OPT, optimized);
        one("saved optimized, NO_OPT", optimized.toString(),
            OrtSession.SessionOptions.OptLevel.NO_OPT, null);
        one("BASIC_OPT", model, OrtSession.SessionOptions.OptLevel.BASIC_OPT, null);
      }
    } finally {
      Files.deleteIfExists(optimized);
    }
  }
}
