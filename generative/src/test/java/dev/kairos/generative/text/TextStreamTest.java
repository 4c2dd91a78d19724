package dev.kairos.generative.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextStreamTest {
  private final GptTokenizer tokenizer = GptTokenizer.named("gpt2");

  private String feed(TextStream stream, String text) {
    StringBuilder out = new StringBuilder();
    for (int t : tokenizer.encode(text)) {
      out.append(stream.add(t));
      if (stream.stopped()) {
        return out.toString();
      }
    }
    return out.append(stream.flush()).toString();
  }

  @Test
  void shouldReleaseWholeCharactersOnly() {
    TextStream stream = new TextStream(tokenizer, List.of());
    StringBuilder out = new StringBuilder();
    for (int t : tokenizer.encode("emoji 🚀 東京")) {
      String delta = stream.add(t);
      assertThat(delta.chars().noneMatch(c -> c == 0xFFFD)).as(delta).isTrue();
      out.append(delta);
    }
    assertThat(out.append(stream.flush()).toString()).isEqualTo("emoji 🚀 東京");
  }

  @Test
  void shouldCutBeforeAStopSequenceSpanningTokens() {
    TextStream stream = new TextStream(tokenizer, List.of("\nQ:", "END"));
    assertThat(feed(stream, "The answer is 42.\nQ: next")).isEqualTo("The answer is 42.");
    assertThat(stream.stopped()).isTrue();
  }

  @Test
  void shouldReleaseHeldBackTextWhenNoStopFollows() {
    TextStream stream = new TextStream(tokenizer, List.of("ENDING"));
    assertThat(feed(stream, "THE END")).isEqualTo("THE END");
    assertThat(stream.stopped()).isFalse();
  }
}
