package dev.kairos.sdk.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kairos.sdk.model.ModelConfigException;
import dev.kairos.sdk.model.ModelConfigParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the {@code model.yaml} parser: any text either parses or is refused
 * with a {@link ModelConfigException} that names the file.
 */
public class ModelYamlFuzzTest {
  private static final Path FILE = Path.of("model.yaml");

  @FuzzTest(maxDuration = FuzzBudget.CI)
  @DictionaryFile(resourcePath = "model-yaml.dict")
  void parseModelYaml(byte[] input) {
    fuzzerTestOneInput(input);
  }

  /** The target, also run by the standalone Jazzer driver. */
  public static void fuzzerTestOneInput(byte[] input) {
    String yaml = new String(input, StandardCharsets.UTF_8);
    try {
      ModelConfigParser.parse(yaml, FILE, "m");
    } catch (ModelConfigException expected) {
      if (!expected.getMessage().startsWith("model.yaml")) {
        throw new AssertionError("message does not name the file: " + expected.getMessage());
      }
    }
  }
}
