package dev.kairos.generative.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GptTokenizerTest {
  private final GptTokenizer tokenizer = GptTokenizer.named("gpt2");

  /** tokens.json was written by npm's gpt-3-encoder (tools/models/gpt2_tokens.js), not JTokkit. */
  @Test
  void shouldEncodeAsAnIndependentGpt2EncoderDoes() throws Exception {
    JsonNode rows =
        new ObjectMapper()
            .readTree(Files.readString(Path.of("../examples/models/gpt2-tiny/golden/tokens.json")));
    assertThat(rows.size()).isGreaterThan(10);
    for (JsonNode row : rows) {
      String text = row.get("text").asText();
      int[] expected = new int[row.get("ids").size()];
      for (int i = 0; i < expected.length; i++) {
        expected[i] = row.get("ids").get(i).asInt();
      }
      assertThat(tokenizer.encode(text)).as(text).containsExactly(expected);
      assertThat(
              new String(
                  tokenizer.decodeBytes(expected, 0, expected.length), StandardCharsets.UTF_8))
          .isEqualTo(text);
    }
  }

  @Test
  void shouldRejectAnUnknownTokenizerNamingTheField() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GptTokenizer.named("llama"))
        .hasMessageContaining("tokenizer = 'llama'");
  }
}
