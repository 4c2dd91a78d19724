package dev.kairos.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.sdk.model.ModelConfigParser;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelYamlEditorTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          no scaling section   | engine: java\\n# keep\\n                                   | engine: java\\n# keep\\nscaling: {maxReplicas: 6, scaleToZeroAfter: 90s}\\n
          flow map             | engine: java\\nscaling: {minReplicas: 1, maxReplicas: 2} # c\\n | engine: java\\nscaling: {minReplicas: 1, maxReplicas: 6, scaleToZeroAfter: 90s} # c\\n
          block                | scaling:\\n  maxReplicas: 2 # c\\n# end\\nengine: java\\n  | scaling:\\n  maxReplicas: 6 # c\\n  scaleToZeroAfter: 90s\\n# end\\nengine: java\\n
          quoted block key     | scaling:\\n    "maxReplicas": 2\\nengine: java            | scaling:\\n    "maxReplicas": 6\\n    scaleToZeroAfter: 90s\\nengine: java
          """)
  void shouldSetKnobsTouchingOnlyTheirLines(String label, String before, String after) {
    Map<String, Object> knobs = new LinkedHashMap<>();
    knobs.put("maxReplicas", 6);
    knobs.put("scaleToZeroAfter", "90s");

    String got = ModelYamlEditor.withScaling(unescape(before), knobs);

    assertThat(got).isEqualTo(unescape(after));
    assertThat(ModelConfigParser.parse(got, Path.of("model.yaml"), "m").scaling().maxReplicas())
        .isEqualTo(6);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          anchor          | engine: java\\nscaling: &s {maxReplicas: 2}\\n
          multi-line flow | engine: java\\nscaling: {\\n  maxReplicas: 2}\\n
          """)
  void shouldFallBackToATreeRewriteThatStillReadsRight(String label, String before) {
    String got = ModelYamlEditor.withScaling(unescape(before), Map.of("maxReplicas", 6));

    assertThat(ModelConfigParser.parse(got, Path.of("model.yaml"), "m").scaling().maxReplicas())
        .isEqualTo(6);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          no traffic section  | engine: java\\n# keep\\n                               | engine: java\\n# keep\\ntraffic: {"1": 90, "2": 10}\\n
          flow map            | traffic: {"1": 100} # canary\\nengine: java\\n        | traffic: {"1": 90, "2": 10} # canary\\nengine: java\\n
          block               | traffic:\\n  "1": 100\\n\\n  # old\\n# next\\nengine: java | traffic: {"1": 90, "2": 10}\\n# next\\nengine: java
          anchor elsewhere    | scaling: &s {maxReplicas: 2}\\ntraffic: {"1": 100}\\n    | scaling: {maxReplicas: 2}\\ntraffic: {"1": 90, "2": 10}\\n
          """)
  void shouldReplaceTheTrafficSectionTouchingNoOtherLine(
      String label, String before, String after) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    weights.put("1", 90);
    weights.put("2", 10);

    String got = ModelYamlEditor.withTraffic(unescape(before), weights);

    assertThat(ModelConfigParser.parse(got, Path.of("model.yaml"), "m").traffic())
        .isEqualTo(weights);
    if (!label.startsWith("anchor")) { // the tree rewrite keeps values, not the text
      assertThat(got).isEqualTo(unescape(after));
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          flow map | traffic: {"1": 100}\\nengine: java\\n
          block    | traffic:\\n  "1": 100\\nengine: java\\n
          """)
  void shouldWriteAnEmptySplitAsAnEmptyMap(String label, String before) {
    String got = ModelYamlEditor.withTraffic(unescape(before), Map.of());

    assertThat(got).isEqualTo("traffic: {}\nengine: java\n");
    assertThat(ModelConfigParser.parse(got, Path.of("model.yaml"), "m").traffic()).isEmpty();
  }

  private static String unescape(String s) {
    return s.trim().replace("\\n", "\n");
  }
}
