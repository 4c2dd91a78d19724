package dev.kairos.bench;

import dev.kairos.runtime.batch.BatchTensors;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The dynamic batcher's tensor work ({@link BatchTensors}): joining requests along dimension 0 into
 * one engine call, and splitting the batched answer back. Two shapes: ResNet-sized images (each
 * request 1x3x224x224 FP32, answer 1000 scores per row) and MLP-sized rows (1x16 in, 1x4 out).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgs = {"-Xms512m", "-Xmx512m"})
public class BatchBenchmark {
  /** Requests in the batch. */
  @Param({"8", "32"})
  public int requests;

  /** {@code image}: 1x3x224x224 in, 1x1000 out per request; {@code row}: 1x16 in, 1x4 out. */
  @Param({"image", "row"})
  public String shape;

  private List<InferenceRequest> batch;
  private InferenceResponse batched;
  private int[] rows;

  @Setup
  public void setUp() {
    long[] in = shape.equals("image") ? new long[] {1, 3, 224, 224} : new long[] {1, 16};
    int out = shape.equals("image") ? 1000 : 4;
    Random random = new Random(1);
    batch = new ArrayList<>(requests);
    for (int i = 0; i < requests; i++) {
      float[] values = new float[(int) Arrays.stream(in).reduce(1, (a, b) -> a * b)];
      for (int k = 0; k < values.length; k++) {
        values[k] = random.nextFloat();
      }
      batch.add(InferenceRequest.of(Tensor.ofFloats("input", in, values)));
    }
    float[] scores = new float[requests * out];
    for (int k = 0; k < scores.length; k++) {
      scores[k] = random.nextFloat();
    }
    batched =
        new InferenceResponse(
            "m",
            "1",
            null,
            Map.of(),
            List.of(Tensor.ofFloats("output", new long[] {requests, out}, scores)));
    rows = new int[requests];
    Arrays.fill(rows, 1);
  }

  @Benchmark
  public InferenceRequest concat() {
    return BatchTensors.concat(batch);
  }

  @Benchmark
  public List<InferenceResponse> split() {
    return BatchTensors.split(batched, rows);
  }
}
