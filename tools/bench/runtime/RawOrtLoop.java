import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * The raw ONNX Runtime loop the served figures are compared with: one session with the runtime
 * engine's settings (intra-op threads = cores, inter-op 1, no spinning, all optimisations), one
 * input of the given batch size reused, session.run in a loop.
 *
 * <pre>java -cp 'cli/target/lib/*' tools/bench/runtime/RawOrtLoop.java MODEL.onnx BATCH SECONDS THREADS [SPIN]</pre>
 *
 * SPIN is 1 to let idle intra-op threads spin (the engine's {@code spinWait: true}), 0 (default) not.
 *
 * Prints one line per slice: {@code raw batch=B rows_per_s=X p50_ms=Y p99_ms=Z calls=N cpu_s=C
 * window_rows_per_s=W}, C being the CPU time the process used in the slice, X the rows of all N
 * calls over the time they took (the last call ends after the slice), W the rows of the calls that
 * ended within the slice over its length: what wrk reports of a served replica, which counts the
 * answers that arrived within its window. With SECONDS = 0 it stays up and runs one
 * slice per line {@code run S} read from standard input, so a benchmark can interleave it with
 * another measurement without paying the JVM start each time.
 */
public class RawOrtLoop {
  public static void main(String[] args) throws Exception {
    String model = args[0];
    int batch = Integer.parseInt(args[1]);
    double seconds = Double.parseDouble(args[2]);
    int threads = Integer.parseInt(args[3]);
    String spin = args.length > 4 ? args[4] : "0";
    OrtEnvironment env = dev.kairos.generative.ort.OnnxEnvironment.get();
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    o.setIntraOpNumThreads(threads);
    o.setInterOpNumThreads(1);
    o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
    o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    o.addConfigEntry("session.intra_op.allow_spinning", spin);
    try (OrtSession s = env.createSession(model, o)) {
      String input = s.getInputNames().iterator().next();
      long[] shape = {batch, 3, 224, 224};
      int n = batch * 3 * 224 * 224;
      FloatBuffer fb =
          ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
      Random r = new Random(1);
      for (int i = 0; i < n; i++) {
        fb.put(r.nextFloat());
      }
      fb.flip();
      try (OnnxTensor t = OnnxTensor.createTensor(env, fb, shape)) {
        for (int i = 0; i < 3; i++) {
          s.run(Map.of(input, t)).close();
        }
        if (seconds > 0) {
          slice(s, input, t, batch, seconds);
          return;
        }
        System.out.println("ready");
        java.io.BufferedReader in =
            new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("run ")) {
            slice(s, input, t, batch, Double.parseDouble(line.substring(4).trim()));
          }
        }
      }
    }
  }

  static void slice(OrtSession s, String input, OnnxTensor t, int batch, double seconds)
      throws Exception {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    {
      {
        long[] lat = new long[1 << 16];
        int calls = 0;
        int inWindow = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now = start;
        while (now < end) {
          long t0 = System.nanoTime();
          s.run(Map.of(input, t)).close();
          now = System.nanoTime();
          lat[calls++ % lat.length] = now - t0;
          if (now <= end) {
            inWindow++;
          }
        }
        double elapsed = (now - start) / 1e9;
        long[] l = Arrays.copyOf(lat, Math.min(calls, lat.length));
        Arrays.sort(l);
        System.out.printf(
            "raw batch=%d rows_per_s=%.2f p50_ms=%.1f p99_ms=%.1f calls=%d cpu_s=%.3f"
                + " window_rows_per_s=%.2f%n",
            batch,
            calls * batch / elapsed,
            l[l.length / 2] / 1e6,
            l[Math.min(l.length - 1, (int) (l.length * 0.99))] / 1e6,
            calls,
            (os.getProcessCpuTime() - cpu0) / 1e9,
            inWindow * batch / seconds);
        System.out.flush();
      }
    }
  }
}
