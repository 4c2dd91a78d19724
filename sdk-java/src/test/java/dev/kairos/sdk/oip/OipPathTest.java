package dev.kairos.sdk.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
