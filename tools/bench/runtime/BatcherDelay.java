import dev.kairos.runtime.batch.DynamicBatcher;
import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.tensor.Tensor;
import dev.kairos.sdk.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
/**
 * How late the dynamic batcher sends a lone request whose batch waits for maxQueueDelay (2 ms): the
 * time from submit to dispatch, 400 requests one at a time, the first 50 left out (JIT).
 *
 * <pre>java -cp 'cli/target/lib/*' tools/bench/runtime/BatcherDelay.java</pre>
 */
public class BatcherDelay {
  public static void main(String[] a) throws Exception {
    ArrayBlockingQueue<Long> q = new ArrayBlockingQueue<>(10);
    DynamicBatcher b = new DynamicBatcher("x", new BatchingConfig(8, Duration.ofMillis(2), 16, List.of()), Clock.system(), 1,
        batch -> q.add(System.nanoTime()));
    b.start();
    long[] d = new long[400];
    for (int i = 0; i < d.length; i++) {
      long t0 = System.nanoTime();
      b.submit(InferenceRequest.of(Tensor.ofFloats("x", new long[]{1,2}, new float[2])), Long.MAX_VALUE);
      d[i] = q.take() - t0;
      b.batchDone();
      Thread.sleep(1);
    }
    long[] s = Arrays.copyOfRange(d, 50, d.length); Arrays.sort(s);
    System.out.printf("2ms delay, lone request dispatched after: p50 %.3f ms p90 %.3f ms max %.3f ms%n", s[s.length/2]/1e6, s[s.length*9/10]/1e6, s[s.length-1]/1e6);
  }
}
