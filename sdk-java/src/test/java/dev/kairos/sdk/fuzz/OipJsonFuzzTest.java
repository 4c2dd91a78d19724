package dev.kairos.sdk.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.oip.OipJsonEncoder;

/**
 * Coverage-guided fuzzing (Jazzer) of the OIP JSON request decoder. A body may only be rejected
 * with {@link InvalidInputException}; a body that decodes must encode and decode again to the same
 * tensors. Without {@code JAZZER_FUZZ} this replays the kept inputs under {@code
 * src/test/resources/dev/kairos/sdk/fuzz/OipJsonFuzzTestInputs/}; see {@code
 * tools/reliability/fuzz.sh} for a fuzzing run.
 */
public class OipJsonFuzzTest {
  private static final OipJsonDecoder DECODER = new OipJsonDecoder();
  private static final OipJsonEncoder ENCODER = new OipJsonEncoder();

  @FuzzTest(maxDuration = FuzzBudget.CI)
  @DictionaryFile(resourcePath = "oip.dict")
  void decodeRequest(byte[] body) {
    fuzzerTestOneInput(body);
  }

  /** The target, also run by the standalone Jazzer driver. */
  public static void fuzzerTestOneInput(byte[] body) {
    InferenceRequest request;
    try {
      request = DECODER.decodeRequest(body);
    } catch (InvalidInputException expected) {
      FuzzChecks.hasMessage(expected);
      return;
    }
    InferenceRequest again = DECODER.decodeRequest(ENCODER.encodeRequest(request));
    FuzzChecks.sameTensors(request.inputs(), again.inputs());
  }
}
