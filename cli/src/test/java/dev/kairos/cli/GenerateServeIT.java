package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.gateway.auth.ApiKeys;
import dev.kairos.generative.text.GptTokenizer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generative APIs through {@code ./kairos serve}, with API keys on, read by an independent
 * client (Python's http.client, server-sent events parsed by hand): OpenAI completions and chat,
 * Triton's generate and generate_stream, a model held at zero replicas that then streams, and a
 * client that leaves mid-stream. The tensor path (mlp) is served alongside, untouched.
 */
class GenerateServeIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLES = KairosProcess.HOME.resolve("examples/models");
  private static final Path GPT2 = EXAMPLES.resolve("gpt2-tiny");
  private static final Path CLIENT =
      KairosProcess.HOME.resolve("cli/src/test/resources/generate/gateway_client.py");
  private static final String KEY = "generate-it-app-key";
  private static final String ADMIN = "generate-it-admin-key";

  @TempDir static Path dir;
  private static KairosProcess kairos;

  @BeforeAll
  static void serve() throws Exception {
    Path repo = dir.resolve("models");
    copyModel(GPT2, repo.resolve("gpt2-tiny"), Files.readString(GPT2.resolve("model.yaml")));
    copyModel(
        GPT2,
        repo.resolve("gpt2-cold"),
        "task: text-generation\ntokenizer: gpt2\ngeneration: {contextLength: 128}\n"
            + "scaling: {minReplicas: 0, initialScale: 0, scaleToZeroAfter: 10m}\n");
    Path mlp = EXAMPLES.resolve("mlp");
    copyModel(mlp, repo.resolve("mlp"), Files.readString(mlp.resolve("model.yaml")));
    Path keys = dir.resolve("keys.txt");
    Files.write(keys, List.of("app " + ApiKeys.sha256Hex(KEY) + " infer:*"));
    kairos =
        KairosProcess.serve(
            repo,
            "--api-keys",
            keys.toString(),
            "--admin-port",
            "0",
            "--admin-key",
            ADMIN,
            "--hold-timeout",
            "120s");
  }

  private static void copyModel(Path from, Path to, String yaml) throws Exception {
    Files.createDirectories(to.resolve("1"));
    Files.copy(from.resolve("1/model.onnx"), to.resolve("1/model.onnx"));
    Files.writeString(to.resolve("model.yaml"), yaml.replaceAll("(?m)^name:.*\n", ""));
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (kairos != null) {
      kairos.close();
    }
  }

  @Test
  void shouldAnswerACompletionWithTorchsGreedyTextStreamedOrNot() throws Exception {
    String body = completion("gpt2-tiny", goldenPrompt(1), 12, false);
    JsonNode whole = call("POST", "/v1/completions", body, KEY);
    assertThat(whole.get("status").asInt()).as(whole.toString()).isEqualTo(200);
    JsonNode answer = JSON.readTree(whole.get("body").asText());
    assertThat(answer.at("/choices/0/text").asText()).isEqualTo(goldenText(1, 12));
    assertThat(answer.at("/usage/completion_tokens").asInt()).isEqualTo(12);

    JsonNode stream =
        call("POST", "/v1/completions", completion("gpt2-tiny", goldenPrompt(1), 12, true), KEY);
    assertThat(stream.get("status").asInt()).as(stream.toString()).isEqualTo(200);
    assertThat(stream.at("/headers/content-type").asText()).startsWith("text/event-stream");
    List<String> events = events(stream);
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    assertThat(events.size()).isGreaterThan(3);
    StringBuilder text = new StringBuilder();
    for (String e : events.subList(0, events.size() - 1)) {
      text.append(JSON.readTree(e).at("/choices/0/text").asText());
    }
    assertThat(text.toString()).isEqualTo(goldenText(1, 12));
  }

  @Test
  void shouldAnswerAChatStreamedOrNotWithTheSameGreedyContent() throws Exception {
    String body =
        "{\"model\":\"gpt2-tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],"
            + "\"max_tokens\":8,\"temperature\":0,\"stream\":%s}";
    JsonNode whole = call("POST", "/v1/chat/completions", body.formatted("false"), KEY);
    assertThat(whole.get("status").asInt()).as(whole.toString()).isEqualTo(200);
    String content =
        JSON.readTree(whole.get("body").asText()).at("/choices/0/message/content").asText();

    JsonNode stream = call("POST", "/v1/chat/completions", body.formatted("true"), KEY);
    List<String> events = events(stream);
    assertThat(JSON.readTree(events.get(0)).at("/choices/0/delta/role").asText())
        .isEqualTo("assistant");
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    StringBuilder streamed = new StringBuilder();
    for (String e : events.subList(0, events.size() - 1)) {
      streamed.append(JSON.readTree(e).at("/choices/0/delta/content").asText());
    }
    assertThat(streamed.toString()).isEqualTo(content).isNotEmpty();
  }

  @Test
  void shouldAnswerTritonGenerateAndGenerateStream() throws Exception {
    String body =
        JSON.createObjectNode()
            .put("text_input", goldenPrompt(2))
            .put("ignore_eos", true)
            .set("parameters", JSON.createObjectNode().put("max_tokens", 6))
            .toString();
    JsonNode whole = call("POST", "/v2/models/gpt2-tiny/generate", body, KEY);
    assertThat(whole.get("status").asInt()).as(whole.toString()).isEqualTo(200);
    assertThat(JSON.readTree(whole.get("body").asText()).get("text_output").asText())
        .isEqualTo(goldenText(2, 6));

    JsonNode stream = call("POST", "/v2/models/gpt2-tiny/generate_stream", body, KEY);
    assertThat(stream.get("status").asInt()).as(stream.toString()).isEqualTo(200);
    StringBuilder text = new StringBuilder();
    for (String e : events(stream)) {
      text.append(JSON.readTree(e).get("text_output").asText());
    }
    assertThat(events(stream).size()).isGreaterThan(2);
    assertThat(text.toString()).isEqualTo(goldenText(2, 6));
  }

  @Test
  void shouldListTheGenerativeModelsAndKeepServingTensorModels() throws Exception {
    JsonNode list = call("GET", "/v1/models", null, KEY);
    assertThat(list.get("status").asInt()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    JSON.readTree(list.get("body").asText())
        .get("data")
        .forEach(m -> ids.add(m.get("id").asText()));
    assertThat(ids).containsExactly("gpt2-cold", "gpt2-tiny");

    JsonNode mlp =
        call(
            "POST",
            "/v2/models/mlp/infer",
            Files.readString(EXAMPLES.resolve("mlp/golden/request.json")),
            KEY);
    assertThat(mlp.get("status").asInt()).as(mlp.toString()).isEqualTo(200);
    ServeEndToEndIT.assertMatchesGolden(
        "mlp",
        mlp.get("body").asText(),
        Files.readAllBytes(EXAMPLES.resolve("mlp/golden/response.json")));
    // /v1/models/{m} is still KServe v1's readiness
    JsonNode v1 = call("GET", "/v1/models/mlp", null, KEY);
    assertThat(JSON.readTree(v1.get("body").asText()).get("ready").asBoolean()).isTrue();
  }

  @Test
  void shouldRefuseWithoutAKeyAndBadBodiesAtTheGateway() throws Exception {
    String ok = completion("gpt2-tiny", "Hi", 2, true);
    for (String path : List.of("/v1/completions", "/v2/models/gpt2-tiny/generate_stream")) {
      JsonNode r = call("POST", path, ok, null);
      assertThat(r.get("status").asInt()).as(path).isEqualTo(401);
    }
    assertThat(call("GET", "/v1/models", null, null).get("status").asInt()).isEqualTo(401);
    JsonNode noKey = call("POST", "/v1/chat/completions", ok, null);
    assertThat(JSON.readTree(noKey.get("body").asText()).at("/error/type").asText())
        .isEqualTo("authentication_error");

    assertError(call("POST", "/v1/completions", "{\"prompt\":\"Hi\"}", KEY), 400, "'model'");
    assertError(call("POST", "/v1/completions", "{\"model\": 7}", KEY), 400, "must be a string");
    assertError(call("POST", "/v1/completions", "{\"model\":\"gpt2-tiny\",", KEY), 400, "JSON");
    assertError(call("POST", "/v1/completions", "[1]", KEY), 400, "JSON object");
    assertError(
        call("POST", "/v1/completions", completion("nope", "Hi", 2, false), KEY),
        404,
        "unknown model 'nope'");
    assertError(
        call("POST", "/v1/completions", completion("mlp", "Hi", 2, false), KEY),
        400,
        "does not generate text");
    assertError(
        call("POST", "/v2/models/mlp/generate", "{\"text_input\":\"Hi\"}", KEY),
        400,
        "does not generate text");
    // The replica's own checks still answer through the gateway.
    assertError(
        call(
            "POST",
            "/v1/completions",
            "{\"model\":\"gpt2-tiny\",\"prompt\":\"Hi\",\"temperature\":-1}",
            KEY),
        400,
        "temperature");
    assertThat(kairos.process().isAlive()).isTrue();
  }

  @Test
  void shouldHoldAStreamAtZeroReplicasUntilOneStartsThenStreamIt() throws Exception {
    assertThat(replicaEndpoints("gpt2-cold")).as("gpt2-cold starts at zero").isEmpty();
    JsonNode stream =
        call("POST", "/v1/completions", completion("gpt2-cold", goldenPrompt(0), 10, true), KEY);
    assertThat(stream.get("status").asInt()).as(stream.toString()).isEqualTo(200);
    List<String> events = events(stream);
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    StringBuilder text = new StringBuilder();
    for (String e : events.subList(0, events.size() - 1)) {
      text.append(JSON.readTree(e).at("/choices/0/text").asText());
    }
    assertThat(text.toString()).isEqualTo(goldenText(0, 10));
    assertThat(replicaEndpoints("gpt2-cold")).hasSize(1);
  }

  @Test
  void shouldCancelTheSequenceOfAClientThatLeavesMidStream() throws Exception {
    List<String> endpoints = replicaEndpoints("gpt2-tiny");
    assertThat(endpoints).hasSize(1);
    String metricsUrl = "http://" + endpoints.get(0) + "/metrics";
    double cancelledBefore = metric(metricsUrl, "kairos_generate_cancelled_total");
    // As many tokens as the context allows; the client reads its first event and hangs up. On a
    // quiet machine the tiny model can finish all of them (about 0.1 s) before the hang-up reaches
    // the replica, which then has nothing to cancel: the client tries again, a few times at most.
    // Were cancellation not passed on, no attempt would ever cancel.
    String body =
        "{\"model\":\"gpt2-tiny\",\"prompt\":\"Once upon a time\",\"max_tokens\":120,"
            + "\"stream\":true,\"ignore_eos\":true}";
    for (int attempt = 0;
        attempt < 10 && metric(metricsUrl, "kairos_generate_cancelled_total") <= cancelledBefore;
        attempt++) {
      JsonNode left = call("POST", "/v1/completions", body, KEY, "--leave-after", "1");
      assertThat(events(left)).hasSize(1);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> assertThat(metric(metricsUrl, "kairos_generate_running_sequences")).isZero());
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(metric(metricsUrl, "kairos_generate_cancelled_total"))
                  .isGreaterThan(cancelledBefore);
              assertThat(metric(metricsUrl, "kairos_generate_kv_blocks_used")).isZero();
              assertThat(metric(metricsUrl, "kairos_generate_running_sequences")).isZero();
            });
    // and the model serves on
    JsonNode again =
        call("POST", "/v1/completions", completion("gpt2-tiny", goldenPrompt(1), 3, false), KEY);
    assertThat(again.get("status").asInt()).isEqualTo(200);
  }

  @Test
  void shouldPrintTheGenerationOfKairosGenerate() throws Exception {
    Run greedy =
        generate(KEY, "gpt2-tiny", goldenPrompt(1), "--max-tokens", "12", "--temperature", "0");
    assertThat(greedy.status()).as(greedy.err()).isZero();
    assertThat(greedy.out()).isEqualTo(goldenText(1, 12) + "\n");

    Run chat = generate(KEY, "gpt2-tiny", "Hello", "--chat", "--max-tokens", "4", "--seed", "5");
    assertThat(chat.status()).as(chat.err()).isZero();
    assertThat(chat.out()).endsWith("\n");

    Run noKey = generate(null, "gpt2-tiny", "Hello", "--max-tokens", "2");
    assertThat(noKey.status()).isEqualTo(1);
    assertThat(noKey.err()).contains("HTTP 401").contains("missing API key");
  }

  private record Run(int status, String out, String err) {}

  private static Run generate(String key, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                KairosProcess.HOME.resolve("kairos").toString(),
                "generate",
                "--url",
                kairos.url()));
    cmd.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("KAIROS_SKIP_BUILD", "1");
    pb.environment().remove("KAIROS_API_KEY");
    if (key != null) {
      pb.environment().put("KAIROS_API_KEY", key);
    }
    Path err = dir.resolve("generate-" + System.nanoTime() + ".err");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out, Files.readString(err));
  }

  private static void assertError(JsonNode r, int status, String contains) throws Exception {
    assertThat(r.get("status").asInt()).as(r.toString()).isEqualTo(status);
    // OpenAI's paths answer {"error": {"message": ...}}, OIP's {"error": "..."}
    JsonNode error = JSON.readTree(r.get("body").asText()).get("error");
    assertThat(error.isObject() ? error.get("message").asText() : error.asText())
        .contains(contains);
  }

  private static String completion(String model, String prompt, int maxTokens, boolean stream) {
    return JSON.createObjectNode()
        .put("model", model)
        .put("prompt", prompt)
        .put("max_tokens", maxTokens)
        .put("temperature", 0)
        .put("ignore_eos", true)
        .put("stream", stream)
        .toString();
  }

  private static List<String> events(JsonNode r) {
    assertThat(r.has("events")).as(r.toString()).isTrue();
    List<String> out = new ArrayList<>();
    r.get("events").forEach(e -> out.add(e.asText()));
    return out;
  }

  private static JsonNode call(String method, String path, String body, String key, String... more)
      throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("/usr/bin/python3", CLIENT.toString(), kairos.url(), method, path));
    if (body != null) {
      cmd.add(body);
    }
    if (key != null) {
      cmd.addAll(List.of("--key", key));
    }
    cmd.addAll(Arrays.asList(more));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(150, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return JSON.readTree(out);
  }

  /** The endpoints of the model's replicas, from the admin API. */
  private static List<String> replicaEndpoints(String model) throws Exception {
    String adminUrl = find(kairos.output(), "Admin API on (http://\\S+)");
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(adminUrl + "/admin/models/" + model))
                    .header("Authorization", "Bearer " + ADMIN)
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    JSON.readTree(r.body()).get("replicas").forEach(x -> out.add(x.get("endpoint").asText()));
    return out;
  }

  private static double metric(String url, String name) throws Exception {
    String text =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*} (\\S+)$").matcher(text);
    assertThat(m.find()).as(name + " in\n" + text).isTrue();
    return Double.parseDouble(m.group(1));
  }

  private static String find(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    if (!m.find()) {
      throw new AssertionError("no match for " + regex + " in:\n" + text);
    }
    return m.group(1);
  }

  private static int[] golden(int row) throws Exception {
    JsonNode g = JSON.readTree(Files.readString(GPT2.resolve("golden/greedy.json"))).get(row);
    int[] ids = new int[g.get("greedy").size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = g.get("greedy").get(i).asInt();
    }
    return ids;
  }

  private static String goldenText(int row, int tokens) throws Exception {
    int[] ids = Arrays.copyOf(golden(row), tokens);
    return new String(
        GptTokenizer.named("gpt2").decodeBytes(ids, 0, ids.length), StandardCharsets.UTF_8);
  }

  private static String goldenPrompt(int row) throws Exception {
    return JSON.readTree(Files.readString(GPT2.resolve("golden/greedy.json")))
        .get(row)
        .get("text")
        .asText();
  }
}
