package dev.kairos.bench;

import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.oip.OipJsonEncoder;
import dev.kairos.sdk.tensor.Tensor;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The OIP codec on an image-sized tensor (1x3x224x224 FP32, 150,528 elements: 588 KiB of data,
 * about 1.6 MB as JSON text).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgs = {"-Xms512m", "-Xmx512m"})
public class CodecBenchmark {
  private final OipJsonDecoder decoder = new OipJsonDecoder();
  private final OipJsonEncoder encoder = new OipJsonEncoder();
  private byte[] json;
  private OipJsonEncoder.Encoded binary;
  private InferenceResponse response;

  @Setup
  public void setUp() {
    float[] values = new float[3 * 224 * 224];
    Random random = new Random(1);
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextFloat();
    }
    Tensor image = Tensor.ofFloats("input", new long[] {1, 3, 224, 224}, values);
    InferenceRequest request = InferenceRequest.of(image);
    json = encoder.encodeRequest(request);
    binary = encoder.encodeRequest(request, Set.of("input"));
    response =
        new InferenceResponse(
            "m", "1", null, Map.of(), java.util.List.of(image.withName("output")));
  }

  @Benchmark
  public InferenceRequest decodeJson() {
    return decoder.decodeRequest(json);
  }

  @Benchmark
  public InferenceRequest decodeBinary() {
    return decoder.decodeRequest(binary.body(), binary.jsonLength());
  }

  @Benchmark
  public byte[] encodeJson() {
    return encoder.encodeResponse(response);
  }

  @Benchmark
  public OipJsonEncoder.Encoded encodeBinary() {
    return encoder.encodeResponse(response, Set.of("output"));
  }
}
