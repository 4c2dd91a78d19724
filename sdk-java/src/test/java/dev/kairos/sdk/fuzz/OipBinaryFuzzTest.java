package dev.kairos.sdk.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.oip.OipJsonEncoder;
import dev.kairos.sdk.tensor.Tensor;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Coverage-guided fuzzing of the binary tensor extension: the first two bytes of an input are the
 * {@code Inference-Header-Content-Length} the client claims (it may lie: beyond the body, inside a
 * JSON token), the rest is the body. Only {@link InvalidInputException} may come out; what decodes
 * must survive a binary round trip.
 */
public class OipBinaryFuzzTest {
  private static final OipJsonDecoder DECODER = new OipJsonDecoder();
  private static final OipJsonEncoder ENCODER = new OipJsonEncoder();

  @FuzzTest(maxDuration = FuzzBudget.CI)
  @DictionaryFile(resourcePath = "oip.dict")
  void decodeBinaryRequest(byte[] input) {
    fuzzerTestOneInput(input);
  }

  /** The target, also run by the standalone Jazzer driver. */
  public static void fuzzerTestOneInput(byte[] input) {
    if (input.length < 2) {
      return;
    }
    int jsonLength = ((input[0] & 0xff) << 8 | (input[1] & 0xff)) - 8;
    byte[] body = java.util.Arrays.copyOfRange(input, 2, input.length);
    InferenceRequest request;
    try {
      request = DECODER.decodeRequest(body, jsonLength);
    } catch (InvalidInputException expected) {
      FuzzChecks.hasMessage(expected);
      return;
    }
    Set<String> all = request.inputs().stream().map(Tensor::name).collect(Collectors.toSet());
    OipJsonEncoder.Encoded enc = ENCODER.encodeRequest(request, all);
    InferenceRequest again = DECODER.decodeRequest(enc.body(), enc.jsonLength());
    FuzzChecks.sameTensors(request.inputs(), again.inputs());
  }
}
