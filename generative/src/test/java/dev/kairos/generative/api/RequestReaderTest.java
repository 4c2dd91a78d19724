package dev.kairos.generative.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.generative.GenerationException;
import dev.kairos.generative.text.GptTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestReaderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final RequestReader reader =
      new RequestReader("m", GptTokenizer.named("gpt2"), 64, ChatTemplate.CHATML);

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"max_tokens\": 3} | prompt is missing",
        "{\"prompt\": \"\"} | prompt is empty",
        "{\"prompt\": [\"a\", \"b\"]} | prompt has 2 prompts",
        "{\"prompt\": [1, 99999]} | prompt[1] = 99999",
        "{\"prompt\": \"hi\", \"max_tokens\": 65} | max_tokens = 65, exceeds the context length of 64",
        "{\"prompt\": \"hi\", \"max_tokens\": 0} | max_tokens = 0, must be >= 1",
        "{\"prompt\": \"hi\", \"temperature\": -0.1} | temperature = -0.1, must be >= 0",
        "{\"prompt\": \"hi\", \"temperature\": \"hot\"} | temperature = \"hot\", must be a finite number",
        "{\"prompt\": \"hi\", \"temperature\": 1e999} | must be a finite number",
        "{\"prompt\": \"hi\", \"top_p\": 0} | top_p = 0.0, must be in (0, 1]",
        "{\"prompt\": \"hi\", \"n\": 2} | n = 2, only 1 is supported",
        "{\"prompt\": \"hi\", \"stop\": [\"a\",\"b\",\"c\",\"d\",\"e\"]} | stop has 5 sequences",
        "{\"prompt\": \"hi\", \"stop\": \"\"} | stop holds an empty string",
        "{\"prompt\": \"hi\", \"stream_options\": {\"include_usage\": true}} | only allowed when stream",
        "{\"prompt\": \"hi\", \"model\": \"other\"} | model = \"other\"",
        "{\"prompt\": \"hi\", \"seed\": 1.5} | seed = 1.5, must be an integer",
        "[1, 2] | the body must be a JSON object",
      })
  void shouldRejectABadCompletionNamingTheField(String body, String message) throws Exception {
    assertThatThrownBy(() -> reader.completion(json(body), Long.MAX_VALUE))
        .isInstanceOf(GenerationException.InvalidRequest.class)
        .hasMessageContaining(message.trim());
  }

  @Test
  void shouldRejectAPromptThatFillsTheContext() {
    assertThatThrownBy(
            () ->
                reader.completion(
                    JSON.createObjectNode().put("prompt", "word ".repeat(64)), Long.MAX_VALUE))
        .hasMessageContaining("the model's context length is 64");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{} | messages must be an array",
        "{\"messages\": []} | messages is empty",
        "{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]} | messages[0].role = \"robot\"",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"\"}]} | messages[0].content is empty",
        "{\"messages\": [{\"role\": \"user\"}]} | messages[0].content must be a string",
        "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]} | messages[0].content[0]",
      })
  void shouldRejectABadChatNamingTheField(String body, String message) throws Exception {
    assertThatThrownBy(() -> reader.chat(json(body), Long.MAX_VALUE))
        .isInstanceOf(GenerationException.InvalidRequest.class)
        .hasMessageContaining(message.trim());
  }

  @Test
  void shouldRenderChatWithChatMlAndStopAtTheEndOfTheTurn() throws Exception {
    ParsedRequest p =
        reader.chat(
            json(
                "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                    + " {\"role\": \"user\", \"content\": \"Hi\"}], \"stream\": true,"
                    + " \"stream_options\": {\"include_usage\": true}}"),
            Long.MAX_VALUE);
    String prompt =
        new String(
            GptTokenizer.named("gpt2")
                .decodeBytes(p.generation().prompt(), 0, p.generation().prompt().length),
            java.nio.charset.StandardCharsets.UTF_8);
    assertThat(prompt)
        .isEqualTo(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\n");
    assertThat(p.generation().stop()).containsExactly("<|im_end|>");
    assertThat(p.stream()).isTrue();
    assertThat(p.includeUsage()).isTrue();
    // No max_tokens: up to the rest of the context.
    assertThat(p.generation().maxTokens()).isEqualTo(64 - p.generation().prompt().length);
  }

  @Test
  void shouldReadTritonParametersAtTheTopOrUnderParameters() throws Exception {
    ParsedRequest p =
        reader.generate(
            json(
                "{\"text_input\": \"Hello\", \"max_tokens\": 5,"
                    + " \"parameters\": {\"temperature\": 0.5, \"stop\": [\"x\"]}}"),
            true,
            Long.MAX_VALUE);
    assertThat(p.generation().maxTokens()).isEqualTo(5);
    assertThat(p.generation().sampling().temperature()).isEqualTo(0.5);
    assertThat(p.generation().stop()).containsExactly("x");
    assertThat(p.stream()).isTrue();
    assertThatThrownBy(() -> reader.generate(json("{\"text_input\": \"\"}"), false, 0))
        .hasMessageContaining("text_input is empty");
  }

  /**
   * Seeded random bodies: fields of valid requests given values of every JSON type. Each must be
   * read or refused with an InvalidRequest, never another exception (which would be a 5xx).
   */
  @Test
  void shouldAnswerEveryRandomBodyWithARequestOrAnInvalidRequest() throws Exception {
    String[] fields = {
      "prompt",
      "max_tokens",
      "max_completion_tokens",
      "temperature",
      "top_p",
      "top_k",
      "n",
      "seed",
      "stop",
      "stream",
      "stream_options",
      "ignore_eos",
      "model",
      "messages",
      "text_input",
      "parameters",
      "stop_words"
    };
    String[] values = {
      "null",
      "true",
      "0",
      "-1",
      "1",
      "2147483648",
      "1e999",
      "-0.0",
      "0.5",
      "\"\"",
      "\"hi\"",
      "[]",
      "[\"a\"]",
      "[1, 2]",
      "[-5]",
      "[[]]",
      "{}",
      "{\"include_usage\": \"yes\"}",
      "[{\"role\": \"user\", \"content\": \"x\"}]",
      "[{\"role\": 1}]",
      "[null]",
      "\"\\ud800\"",
      "9223372036854775808"
    };
    java.util.Random random = new java.util.Random(19);
    for (int i = 0; i < 3000; i++) {
      StringBuilder body = new StringBuilder("{");
      int n = 1 + random.nextInt(5);
      for (int f = 0; f < n; f++) {
        if (f > 0) {
          body.append(',');
        }
        body.append('"').append(fields[random.nextInt(fields.length)]).append("\": ");
        body.append(values[random.nextInt(values.length)]);
      }
      JsonNode json = json(body.append('}').toString());
      for (int api = 0; api < 3; api++) {
        try {
          switch (api) {
            case 0 -> reader.completion(json, Long.MAX_VALUE);
            case 1 -> reader.chat(json, Long.MAX_VALUE);
            default -> reader.generate(json, random.nextBoolean(), Long.MAX_VALUE);
          }
        } catch (GenerationException.InvalidRequest expected) {
          assertThat(expected.getMessage()).as(body.toString()).isNotBlank();
        }
      }
    }
  }
}
