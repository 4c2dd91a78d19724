import dev.kairos.generative.runner.Chunk;
import dev.kairos.generative.runner.PagedDecoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One paged-decoder step (the engine's model runner) on two exports of the same model, same shapes,
 * interleaved: wall and process CPU per step by decoding rows, their past and a prompt chunk.
 * Usage: tools/bench/goodput/steps.sh OLD.onnx NEW.onnx REPS
 */
public class StepCost {
  static final com.sun.management.OperatingSystemMXBean OS = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
  public static void main(String[] a) throws Exception {
    int bs = 16;
    int reps = Integer.parseInt(a[2]);
    try (PagedDecoder A = new PagedDecoder(Path.of(a[0]), 2200, bs, 2);
         PagedDecoder B = new PagedDecoder(Path.of(a[1]), 2200, bs, 2)) {
      int[][] cases = {{1,16,0},{1,224,0},{4,96,0},{16,16,0},{16,96,0},{16,224,0},{32,224,0},{16,96,64},{0,0,64}};
      for (int round = 0; round < 3; round++) {
        for (int[] c : cases) {
          List<Chunk> cs = build(c[0], c[1], c[2], bs);
          double[] x = new double[4];
          for (int side = 0; side < 2; side++) {
            PagedDecoder d = side == 0 ? A : B;
            d.step(cs);
            long cpu0 = OS.getProcessCpuTime(); long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) d.step(cs);
            x[side * 2] = (System.nanoTime() - t0) / 1e6 / reps;
            x[side * 2 + 1] = (OS.getProcessCpuTime() - cpu0) / 1e6 / reps;
          }
          if (round > 0) System.out.printf("round=%d rows=%d past=%d chunk=%d old_ms=%.1f new_ms=%.1f old_cpu=%.1f new_cpu=%.1f new_over_old_cpu=%.2f%n",
              round, c[0], c[1], c[2], x[0], x[2], x[1], x[3], x[3] / x[1]);
        }
      }
    }
  }
  static List<Chunk> build(int rows, int past, int chunkLen, int bs) {
    List<Chunk> cs = new ArrayList<>();
    int next = 1;
    for (int r = 0; r < rows; r++) {
      int nb = (past + 1 + bs - 1) / bs;
      int[] blocks = new int[nb];
      for (int k = 0; k < nb; k++) blocks[k] = next++;
      cs.add(new Chunk(new int[] {300 + r}, past, blocks));
    }
    if (chunkLen > 0) {
      int nb = (chunkLen + bs - 1) / bs;
      int[] blocks = new int[nb];
      for (int k = 0; k < nb; k++) blocks[k] = next++;
      int[] toks = new int[chunkLen];
      for (int i = 0; i < chunkLen; i++) toks[i] = 400 + i;
      cs.add(new Chunk(toks, 0, blocks));
    }
    return cs;
  }
}
