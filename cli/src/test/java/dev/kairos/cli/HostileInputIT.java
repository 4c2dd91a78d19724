package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends every request of the hostile corpus (tools/reliability/make_hostile_corpus.py) through the
 * gateway on a raw socket: each must get a 4xx (never a 5xx, never silence), and a valid request
 * right after it must still succeed. No replica may die on the way.
 */
class HostileInputIT {
  private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] (\\d{3})");

  /** OIP's {@code {"error": "..."}}, or OpenAI's {@code {"error": {"message": "...", ...}}}. */
  private static final Pattern ERROR_BODY =
      Pattern.compile("\\r\\n\\r\\n\\{\"error\":(\\{\"message\":)?\"[^\"]+");

  private static final String GOOD =
      "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,16],\"datatype\":\"FP32\",\"data\":"
          + "[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]}]}";
  private static final Pattern GENERATIVE =
      Pattern.compile("completions |chat |generate|GET /v1|PUT /v1|POST /v1");
  private static final String GOOD_COMPLETION =
      "{\"model\":\"gpt2-tiny\",\"prompt\":\"hi\",\"max_tokens\":2}";
  private static KairosProcess kairos;

  @BeforeAll
  static void serve(@TempDir Path repo) throws IOException {
    // The example mlp, kept at one replica: scaling to zero when idle must not read as a crash.
    Path mlp = KairosProcess.HOME.resolve("examples/models/mlp");
    Files.createDirectories(repo.resolve("mlp/1"));
    Files.copy(mlp.resolve("1/model.onnx"), repo.resolve("mlp/1/model.onnx"));
    Files.writeString(
        repo.resolve("mlp/model.yaml"),
        Files.readString(mlp.resolve("model.yaml")) + "scaling: {minReplicas: 1}\n");
    // The text-generation example, for the OpenAI and generate cases.
    Path gpt2 = KairosProcess.HOME.resolve("examples/models/gpt2-tiny");
    Files.createDirectories(repo.resolve("gpt2-tiny/1"));
    Files.copy(gpt2.resolve("1/model.onnx"), repo.resolve("gpt2-tiny/1/model.onnx"));
    Files.writeString(
        repo.resolve("gpt2-tiny/model.yaml"),
        Files.readString(gpt2.resolve("model.yaml")) + "scaling: {minReplicas: 1}\n");
    kairos = KairosProcess.serve(repo, "--warm-pool", "0");
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (kairos != null) {
      kairos.close();
    }
  }

  @Test
  void shouldAnswerEveryHostileRequestWith4xxAndKeepServing() throws Exception {
    List<ProcessHandle> replicas = kairos.process().descendants().toList();
    List<JsonNode> corpus = corpus();
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(200);
    URI base = URI.create(kairos.url());
    List<String> problems = new ArrayList<>();
    for (JsonNode c : corpus) {
      String name = c.get("name").asText();
      byte[] raw =
          new String(
                  Base64.getDecoder().decode(c.get("request").asText()),
                  StandardCharsets.ISO_8859_1)
              .replace("Host: HOST", "Host: " + base.getAuthority())
              .getBytes(StandardCharsets.ISO_8859_1);
      String answer = send(base, raw);
      List<Integer> statuses = statuses(answer);
      if (statuses.isEmpty()) {
        problems.add(name + ": no response");
      } else if (statuses.get(0) < 400 || statuses.get(0) > 499) {
        problems.add(name + ": status " + statuses);
      } else if (statuses.stream().anyMatch(s -> s >= 500)) {
        problems.add(name + ": a later response was a 5xx " + statuses);
      } else if (!ERROR_BODY.matcher(answer).find()) {
        problems.add(name + ": " + statuses.get(0) + " without an {\"error\": ...} message");
      }
      int after = kairos.post("/v2/models/mlp/infer", GOOD).statusCode();
      if (after != 200) {
        problems.add(name + ": the valid request after it got " + after);
      }
      if (GENERATIVE.matcher(name).lookingAt()) {
        int generated = kairos.post("/v1/completions", GOOD_COMPLETION).statusCode();
        if (generated != 200) {
          problems.add(name + ": the valid completion after it got " + generated);
        }
      }
    }
    assertThat(problems).as("hostile requests handled wrongly").isEmpty();
    assertThat(replicas).as("replica processes").isNotEmpty().allMatch(ProcessHandle::isAlive);
  }

  private static List<JsonNode> corpus() throws IOException {
    Path file = Path.of("src/test/resources/hostile/corpus.jsonl");
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank()) {
        out.add(json.readTree(line));
      }
    }
    return out;
  }

  /** Writes the raw bytes and reads until the server closes or goes quiet; returns what came. */
  private static String send(URI base, byte[] raw) throws IOException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      try {
        out.write(raw);
        out.flush();
      } catch (IOException e) {
        // the server may reject and close before it has read everything: read what it said
      }
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      try {
        int n;
        while ((n = in.read(buf)) > 0) {
          received.write(buf, 0, n);
        }
      } catch (SocketTimeoutException | java.net.SocketException e) {
        // keep what arrived
      }
    }
    return received.toString(StandardCharsets.ISO_8859_1);
  }

  private static List<Integer> statuses(String answer) {
    List<Integer> statuses = new ArrayList<>();
    Matcher m = STATUS.matcher(answer);
    while (m.find()) {
      statuses.add(Integer.parseInt(m.group(1)));
    }
    return statuses;
  }
}
