package dev.kairos.sdk.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class OipPathTest {
  @Test
  void shouldParseModelPaths() {
    assertThat(OipPath.parse("/v2/models/mlp"))
        .isEqualTo(new OipPath("mlp", null, OipPath.Op.METADATA));
    assertThat(OipPath.parse("/v2/models/mlp/ready"))
        .isEqualTo(new OipPath("mlp", null, OipPath.Op.READY));
    assertThat(OipPath.parse("/v2/models/mlp/infer"))
        .isEqualTo(new OipPath("mlp", null, OipPath.Op.INFER));
    assertThat(OipPath.parse("/v2/models/mlp/versions/2/infer"))
        .isEqualTo(new OipPath("mlp", "2", OipPath.Op.INFER));
    assertThat(OipPath.parse("/v2/models/mlp/versions/2"))
        .isEqualTo(new OipPath("mlp", "2", OipPath.Op.METADATA));
  }

  @Test
  void shouldParseTheGenerateExtension() {
    assertThat(OipPath.parse("/v2/models/gpt2/generate"))
        .isEqualTo(new OipPath("gpt2", null, OipPath.Op.GENERATE));
    assertThat(OipPath.parse("/v2/models/gpt2/versions/1/generate_stream"))
        .isEqualTo(new OipPath("gpt2", "1", OipPath.Op.GENERATE_STREAM));
    assertThat(OipPath.parse("/v2/models/gpt2/generate/x")).isNull();
  }

  @Test
  void shouldNotMatchOtherPaths() {
    assertThat(OipPath.parse("/v2/health/ready")).isNull();
    assertThat(OipPath.parse("/v2/models/mlp/explain")).isNull();
    assertThat(OipPath.parse("/v2/models/mlp/versions/2/infer/x")).isNull();
  }

  @Test
  void shouldRejectPathTricksInNames() {
    assertThatThrownBy(() -> OipPath.parse("/v2/models/../infer"))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> OipPath.parse("/v2/models/a%2F..%2Fb/infer"))
        .hasMessageContaining("invalid model name");
    assertThatThrownBy(() -> OipPath.parse("/v2/models//infer"))
        .hasMessageContaining("invalid model name");
    assertThatThrownBy(() -> OipPath.parse("/v2/models/m/versions/..x/infer"))
        .hasMessageContaining("invalid model version");
  }

  @Test
  void shouldAcceptExactlyTheNamesOfTheDocumentedPattern() {
    // The rule as documented: 1 to 128 of letters, digits, '_', '.', '-', starting with a letter or
    // digit, and no "..".
    Pattern rule = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    String alphabet = "aZ09_.-/ %\u00e9\u0000:";
    SplittableRandom random = new SplittableRandom(21);
    for (int n = 0; n < 200_000; n++) {
      int length = random.nextInt(6);
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < length; i++) {
        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String name = b.toString();
      boolean expected = rule.matcher(name).matches() && !name.contains("..");
      assertThat(OipPath.isValidName(name)).as("'%s'", name).isEqualTo(expected);
    }
    assertThat(OipPath.isValidName("a".repeat(128))).isTrue();
    assertThat(OipPath.isValidName("a".repeat(129))).isFalse();
    assertThat(OipPath.isValidName("resnet-18_v1.onnx")).isTrue();
    assertThat(OipPath.isValidName("a.b..c")).isFalse();
    assertThat(OipPath.isValidName(null)).isFalse();
  }
}
