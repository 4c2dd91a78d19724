package dev.kairos.gateway.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kairos.gateway.protocol.OpenAi;
import dev.kairos.sdk.oip.InvalidInputException;

/**
 * Coverage-guided fuzzing (Jazzer) of the gateway's reading of OpenAI request bodies: any bytes
 * either give a model name or are refused with {@link InvalidInputException} and a message (a 400),
 * never another exception (a 500). Without {@code JAZZER_FUZZ} this replays the kept inputs under
 * {@code src/test/resources/dev/kairos/gateway/fuzz/OpenAiBodyFuzzTestInputs/}; {@code
 * tools/reliability/fuzz.sh 600 openai} fuzzes it longer.
 */
public class OpenAiBodyFuzzTest {
  @FuzzTest(maxDuration = "5s")
  @DictionaryFile(resourcePath = "openai.dict")
  void readOpenAiBody(byte[] body) {
    fuzzerTestOneInput(body);
  }

  /** The target, also run by the standalone Jazzer driver. */
  public static void fuzzerTestOneInput(byte[] body) {
    OpenAi.Request r;
    try {
      r = OpenAi.read(body);
    } catch (InvalidInputException expected) {
      if (expected.getMessage() == null || expected.getMessage().isBlank()) {
        throw new AssertionError("a refusal without a message", expected);
      }
      return;
    }
    if (r.model() == null) {
      throw new AssertionError("read a body without refusing it, but no model");
    }
  }
}
