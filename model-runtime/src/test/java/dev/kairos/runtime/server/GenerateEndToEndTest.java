package dev.kairos.runtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.runtime.RuntimeMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end: a real runtime process serving the committed gpt2-tiny example on port 0, read by an
 * independent client (Python's http.client, which parses the server-sent events itself).
 */
class GenerateEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path MODEL = Path.of("..", "examples", "models", "gpt2-tiny");
  private static final Path CLIENT =
      Path.of("src", "test", "resources", "generate", "sse_client.py");
  private static Process runtime;
  private static int port;

  @BeforeAll
  static void startRuntime() throws Exception {
    runtime =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                RuntimeMain.class.getName(),
                "--model-dir",
                MODEL.toString(),
                "--port",
                "0",
                "--cores",
                "1")
            .redirectErrorStream(true)
            .start();
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(runtime.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder log = new StringBuilder();
    for (String line; (line = lines.readLine()) != null; ) {
      log.append(line).append('\n');
      if (line.startsWith(RuntimeMain.READY_PREFIX)) {
        port = Integer.parseInt(line.substring(RuntimeMain.READY_PREFIX.length()).split(" ")[0]);
        break;
      }
      assertThat(line).doesNotStartWith(RuntimeMain.FAILED_PREFIX);
    }
    if (port == 0) {
      log.append("exit ").append(runtime.waitFor());
    }
    assertThat(port).as(log.toString()).isPositive();
    Thread drain =
        new Thread(
            () -> {
              try {
                lines.transferTo(java.io.Writer.nullWriter());
              } catch (IOException ignored) {
                // the process ended
              }
            });
    drain.setDaemon(true);
    drain.start();
  }

  @AfterAll
  static void stopRuntime() throws Exception {
    if (runtime != null) {
      runtime.destroy();
      runtime.waitFor(20, TimeUnit.SECONDS);
    }
  }

  private static JsonNode call(String method, String path, String body) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", CLIENT.toString()));
    cmd.addAll(List.of(Integer.toString(port), method, path));
    if (body != null) {
      cmd.add(body);
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return JSON.readTree(out);
  }

  private static int[] golden(int row) throws Exception {
    JsonNode g = JSON.readTree(Files.readString(MODEL.resolve("golden/greedy.json"))).get(row);
    int[] ids = new int[g.get("greedy").size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = g.get("greedy").get(i).asInt();
    }
    return ids;
  }

  private static String goldenText(int row, int tokens) throws Exception {
    int[] ids = java.util.Arrays.copyOf(golden(row), tokens);
    return new String(
        dev.kairos.generative.text.GptTokenizer.named("gpt2").decodeBytes(ids, 0, ids.length),
        StandardCharsets.UTF_8);
  }

  private static String goldenPrompt(int row) throws Exception {
    return JSON.readTree(Files.readString(MODEL.resolve("golden/greedy.json")))
        .get(row)
        .get("text")
        .asText();
  }

  @Test
  void shouldAnswerACompletionWithTorchsGreedyTextAndUsage() throws Exception {
    String prompt = goldenPrompt(1);
    JsonNode r =
        call(
            "POST",
            "/v1/completions",
            JSON.createObjectNode()
                .put("model", "gpt2-tiny")
                .put("prompt", prompt)
                .put("max_tokens", 12)
                .put("temperature", 0)
                .put("ignore_eos", true)
                .toString());
    assertThat(r.get("status").asInt()).as(r.toString()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.get("body").asText());
    assertThat(body.get("object").asText()).isEqualTo("text_completion");
    assertThat(body.at("/choices/0/text").asText()).isEqualTo(goldenText(1, 12));
    assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(12);
    assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(10);
    assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(22);
    String metrics = call("GET", "/metrics", null).get("body").asText();
    for (String histogram :
        new String[] {
          "time_to_first_token_seconds", "time_per_output_token_seconds", "e2e_seconds"
        }) {
      assertThat(metrics)
          .containsPattern("kairos_generate_" + histogram + "_count\\{model=\"gpt2-tiny\"} [1-9]");
    }
  }

  @Test
  void shouldStreamCompletionChunksEndingWithDoneAndUsage() throws Exception {
    String prompt = goldenPrompt(1);
    JsonNode r =
        call(
            "POST",
            "/v1/completions",
            JSON.createObjectNode()
                .put("prompt", prompt)
                .put("max_tokens", 12)
                .put("temperature", 0)
                .put("ignore_eos", true)
                .put("stream", true)
                .set("stream_options", JSON.createObjectNode().put("include_usage", true))
                .toString());
    assertThat(r.get("status").asInt()).isEqualTo(200);
    assertThat(r.at("/headers/content-type").asText()).startsWith("text/event-stream");
    List<String> events = new ArrayList<>();
    r.get("events").forEach(e -> events.add(e.asText()));
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    StringBuilder text = new StringBuilder();
    String finish = null;
    JsonNode usage = null;
    for (String e : events.subList(0, events.size() - 1)) {
      JsonNode chunk = JSON.readTree(e);
      if (chunk.get("choices").isEmpty()) {
        usage = chunk.get("usage");
        continue;
      }
      text.append(chunk.at("/choices/0/text").asText());
      if (!chunk.at("/choices/0/finish_reason").isNull()) {
        finish = chunk.at("/choices/0/finish_reason").asText();
      }
    }
    assertThat(events.size()).isGreaterThan(4);
    assertThat(text.toString()).isEqualTo(goldenText(1, 12));
    assertThat(finish).isEqualTo("length");
    assertThat(usage.get("completion_tokens").asInt()).isEqualTo(12);
  }

  @Test
  void shouldStreamAChatAsChunksWithRoleThenContent() throws Exception {
    String body =
        "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
            + "{\"role\":\"user\",\"content\":\"Hello\"}],\"max_tokens\":8,\"stream\":true,"
            + "\"temperature\":0.8,\"seed\":7}";
    JsonNode first = call("POST", "/v1/chat/completions", body);
    JsonNode second = call("POST", "/v1/chat/completions", body);
    assertThat(first.get("status").asInt()).isEqualTo(200);
    List<String> events = new ArrayList<>();
    first.get("events").forEach(e -> events.add(e.asText()));
    JsonNode head = JSON.readTree(events.get(0));
    assertThat(head.get("object").asText()).isEqualTo("chat.completion.chunk");
    assertThat(head.at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    // The same seed gives the same sampled text.
    assertThat(content(second)).isEqualTo(content(first)).isNotEmpty();
  }

  private static String content(JsonNode r) throws Exception {
    StringBuilder out = new StringBuilder();
    for (JsonNode e : r.get("events")) {
      if (!e.asText().equals("[DONE]")) {
        out.append(JSON.readTree(e.asText()).at("/choices/0/delta/content").asText());
      }
    }
    return out.toString();
  }

  @Test
  void shouldAnswerTritonGenerateAndGenerateStream() throws Exception {
    String body =
        JSON.createObjectNode()
            .put("text_input", goldenPrompt(1))
            .put("ignore_eos", true)
            .set("parameters", JSON.createObjectNode().put("max_tokens", 6))
            .toString();
    JsonNode whole = call("POST", "/v2/models/gpt2-tiny/generate", body);
    assertThat(whole.get("status").asInt()).as(whole.toString()).isEqualTo(200);
    JsonNode out = JSON.readTree(whole.get("body").asText());
    assertThat(out.get("model_name").asText()).isEqualTo("gpt2-tiny");
    assertThat(out.get("text_output").asText()).isEqualTo(goldenText(1, 6));

    JsonNode stream = call("POST", "/v2/models/gpt2-tiny/generate_stream", body);
    assertThat(stream.at("/headers/content-type").asText()).startsWith("text/event-stream");
    StringBuilder text = new StringBuilder();
    for (JsonNode e : stream.get("events")) {
      text.append(JSON.readTree(e.asText()).get("text_output").asText());
    }
    assertThat(stream.get("events").size()).isGreaterThan(2);
    assertThat(text.toString()).isEqualTo(goldenText(1, 6));
  }

  @Test
  void shouldListTheModel() throws Exception {
    JsonNode r = call("GET", "/v1/models", null);
    JsonNode body = JSON.readTree(r.get("body").asText());
    assertThat(body.at("/data/0/id").asText()).isEqualTo("gpt2-tiny");
  }

  @Test
  void shouldAnswerBadInputWith400NamingTheField() throws Exception {
    String longPrompt = "word ".repeat(200);
    String[][] cases = {
      {"/v1/completions", "{\"prompt\": \"" + longPrompt + "\"}", "context length"},
      {"/v1/completions", "{\"prompt\": \"hi\", \"max_tokens\": 5000}", "max_tokens = 5000"},
      {"/v1/completions", "{\"prompt\": \"hi\", \"temperature\": -1}", "temperature = -1"},
      {"/v1/completions", "{\"prompt\": \"hi\", \"top_p\": 0}", "top_p = 0"},
      {"/v1/completions", "{\"prompt\": \"hi\", \"top_p\": 1.5}", "top_p = 1.5"},
      {"/v1/completions", "{\"prompt\": ", "malformed JSON"},
      {"/v1/chat/completions", "{\"messages\": []}", "messages is empty"},
      {
        "/v1/chat/completions",
        "{\"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}",
        "messages[0].role"
      },
      {
        "/v1/chat/completions",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"\"}]}",
        "messages[0].content is empty"
      },
      {"/v2/models/gpt2-tiny/generate", "{\"text_input\": 3}", "text_input"},
    };
    for (String[] c : cases) {
      JsonNode r = call("POST", c[0], c[1]);
      assertThat(r.get("status").asInt()).as(c[1]).isEqualTo(400);
      assertThat(r.get("body").asText()).as(c[1]).contains(c[2]);
    }
    // Still serving.
    assertThat(call("GET", "/v1/models", null).get("status").asInt()).isEqualTo(200);
  }

  @Test
  void shouldCancelTheSequenceOfAClientThatLeaves() throws Exception {
    // Many tokens, streamed; the client reads the first event and hangs up.
    String body =
        "{\"prompt\": \"Once upon a time\", \"max_tokens\": 120, \"stream\": true,"
            + " \"ignore_eos\": true}";
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      String req =
          "POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              + "Content-Length: "
              + body.getBytes(StandardCharsets.UTF_8).length
              + "\r\n\r\n"
              + body;
      s.getOutputStream().write(req.getBytes(StandardCharsets.UTF_8));
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("data:")) {
          break;
        }
      }
    }
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              String metrics = call("GET", "/metrics", null).get("body").asText();
              assertThat(metrics)
                  .contains("kairos_generate_kv_blocks_used{model=\"gpt2-tiny\"} 0.0");
              assertThat(metrics)
                  .contains("kairos_generate_running_sequences{model=\"gpt2-tiny\"} 0.0");
            });
    String metrics = call("GET", "/metrics", null).get("body").asText();
    assertThat(metrics)
        .containsPattern("kairos_generate_cancelled_total\\{model=\"gpt2-tiny\"} [1-9]");
  }
}
