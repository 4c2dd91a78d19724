package dev.kairos.gateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.sdk.oip.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenAiTest {
  private static OpenAi.Request read(String body) {
    return OpenAi.read(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldReadTheModelAndWhetherItStreamsWhereverTheyAre() {
    assertThat(read("{\"model\":\"gpt2\",\"prompt\":\"hi\"}"))
        .isEqualTo(new OpenAi.Request("gpt2", false));
    assertThat(
            read(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"{\\\"model\\\":1}\"}],"
                    + "\"stream_options\":{\"model\":3},\"stream\":true,\"model\":\"m\"}"))
        .isEqualTo(new OpenAi.Request("m", true));
    assertThat(read("{\"model\":\"m\",\"stream\":\"true\"}").stream()).isFalse();
  }

  @Test
  void shouldNameWhatIsWrongWithABody() {
    assertThatThrownBy(() -> read("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> read("{\"prompt\":\"hi\"}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("no 'model' field");
    assertThatThrownBy(() -> read("{\"model\":null}")).hasMessageContaining("got null");
    assertThatThrownBy(() -> read("{\"model\":[\"a\"]}")).hasMessageContaining("got an array");
    assertThatThrownBy(() -> read("[\"model\"]")).hasMessageContaining("must be a JSON object");
    assertThatThrownBy(() -> read("{\"model\":\"m\",")).hasMessageContaining("malformed JSON");
    assertThatThrownBy(() -> read("{\"model\":\"m\"} {}")).hasMessageContaining("after the object");
    assertThatThrownBy(() -> read("{\"model\":\"m\",\"x\":" + "[".repeat(10_000)))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> read("{\"model\":\"\\ud800\",}"))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void shouldListModelsAndWriteErrorsInOpenAisFormat() {
    assertThat(new String(OpenAi.models(List.of("a", "b")), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"object\":\"list\",\"data\":[{\"id\":\"a\",\"object\":\"model\",\"created\":0,"
                + "\"owned_by\":\"kairos\"},{\"id\":\"b\",\"object\":\"model\",\"created\":0,"
                + "\"owned_by\":\"kairos\"}]}");
    assertThat(new String(OpenAi.error(401, "missing \"key\""), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"error\":{\"message\":\"missing \\\"key\\\"\",\"type\":\"authentication_error\","
                + "\"param\":null,\"code\":null}}");
  }
}
