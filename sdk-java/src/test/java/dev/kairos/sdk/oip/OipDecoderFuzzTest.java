package dev.kairos.sdk.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.sdk.model.ModelConfigException;
import dev.kairos.sdk.model.ModelConfigParser;
import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the decoders: random valid requests must decode to what an independent oracle
 * (Jackson's tree model) reads; random mutations must only ever fail with {@link
 * InvalidInputException}. The seeds are fixed, so a failure reproduces; a finding is kept as a case
 * in {@link OipJsonDecoderTest}.
 */
class OipDecoderFuzzTest {
  private static final ObjectMapper ORACLE = new ObjectMapper();
  private static final DataType[] NUMERIC = {
    DataType.BOOL,
    DataType.UINT8,
    DataType.INT8,
    DataType.INT16,
    DataType.UINT16,
    DataType.INT32,
    DataType.UINT32,
    DataType.INT64,
    DataType.FP16,
    DataType.FP32,
    DataType.FP64
  };
  private final OipJsonDecoder decoder = new OipJsonDecoder();
  private final OipJsonEncoder encoder = new OipJsonEncoder();

  @Test
  void shouldDecodeRandomValidRequestsLikeTheOracle() throws Exception {
    SplittableRandom random = new SplittableRandom(20261123);
    for (int iteration = 0; iteration < 1_000; iteration++) {
      String json = randomRequest(random);
      InferenceRequest got = decoder.decodeRequest(json.getBytes(StandardCharsets.UTF_8));
      JsonNode want = ORACLE.readTree(json).get("inputs");
      assertThat(got.inputs()).as(json).hasSize(want.size());
      for (int i = 0; i < want.size(); i++) {
        JsonNode w = want.get(i);
        Tensor t = got.inputs().get(i);
        assertThat(t.name()).isEqualTo(w.get("name").asText());
        assertThat(t.datatype().name()).isEqualTo(w.get("datatype").asText());
        List<JsonNode> flat = new ArrayList<>();
        flatten(w.get("data"), flat);
        assertThat((long) flat.size()).isEqualTo(t.elementCount());
        for (int e = 0; e < flat.size(); e++) {
          JsonNode v = flat.get(e);
          switch (t.datatype()) {
            case BOOL -> assertThat(t.getLong(e) != 0).as(json).isEqualTo(v.asBoolean());
            case FP32 ->
                assertThat((float) t.getDouble(e)).as(json).isEqualTo((float) v.asDouble());
            case FP64 -> assertThat(t.getDouble(e)).as(json).isEqualTo(v.asDouble());
            case FP16 ->
                assertThat(t.getDouble(e))
                    .as(json)
                    .isCloseTo(v.asDouble(), org.assertj.core.data.Percentage.withPercentage(0.1));
            default -> assertThat(t.getLong(e)).as(json).isEqualTo(v.asLong());
          }
        }
      }
    }
  }

  @Test
  void shouldOnlyRejectMutatedJsonWithAClientError() {
    SplittableRandom random = new SplittableRandom(7);
    for (int iteration = 0; iteration < 10_000; iteration++) {
      byte[] body = mutate(randomRequest(random).getBytes(StandardCharsets.UTF_8), random);
      try {
        decoder.decodeRequest(body);
      } catch (InvalidInputException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      } catch (RuntimeException | StackOverflowError e) {
        fail("decoder threw " + e + " for: " + new String(body, StandardCharsets.UTF_8), e);
      }
    }
  }

  @Test
  void shouldOnlyRejectMutatedBinaryBodiesWithAClientError() {
    SplittableRandom random = new SplittableRandom(11);
    for (int iteration = 0; iteration < 5_000; iteration++) {
      InferenceRequest request =
          InferenceRequest.of(
              Tensor.ofFloats("x", new long[] {2, 2}, 1f, 2f, 3f, 4f),
              Tensor.ofStrings("s", new long[] {2}, List.of("ab", "c")));
      OipJsonEncoder.Encoded enc = encoder.encodeRequest(request, Set.of("x", "s"));
      byte[] body = random.nextBoolean() ? mutate(enc.body(), random) : enc.body();
      int jsonLength = enc.jsonLength() + (random.nextInt(5) == 0 ? random.nextInt(-8, 9) : 0);
      try {
        decoder.decodeRequest(body, jsonLength);
      } catch (InvalidInputException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      } catch (RuntimeException e) {
        fail("decoder threw " + e + " for a binary body of " + body.length + " bytes", e);
      }
    }
  }

  @Test
  void shouldOnlyRejectMutatedModelYamlWithAConfigError() {
    String yaml =
        "name: m\nengine: onnxruntime\ninputs: [{name: x, datatype: FP32, shape: [-1, 4]}]\n"
            + "batching: {maxBatchSize: 8, maxQueueDelay: 2ms}\ndevice: {kind: cpu, memory: 1Gi}\n"
            + "scaling: {minReplicas: 0, maxReplicas: 3}\ntraffic: {\"1\": 100}\n";
    SplittableRandom random = new SplittableRandom(3);
    for (int iteration = 0; iteration < 3_000; iteration++) {
      String mutated =
          new String(mutate(yaml.getBytes(StandardCharsets.UTF_8), random), StandardCharsets.UTF_8);
      try {
        ModelConfigParser.parse(mutated, Path.of("model.yaml"), "m");
      } catch (ModelConfigException expected) {
        assertThat(expected.getMessage()).startsWith("model.yaml");
      } catch (RuntimeException e) {
        fail("parser threw " + e + " for:\n" + mutated, e);
      }
    }
  }

  private static void flatten(JsonNode n, List<JsonNode> out) {
    if (n.isArray()) {
      n.forEach(e -> flatten(e, out));
    } else {
      out.add(n);
    }
  }

  /** A valid request: random datatypes, shapes, nesting, field order and whitespace. */
  private static String randomRequest(SplittableRandom r) {
    StringBuilder b = new StringBuilder("{");
    if (r.nextBoolean()) {
      b.append("\"id\": \"req-").append(r.nextInt(1000)).append("\", ");
    }
    if (r.nextInt(4) == 0) {
      b.append("\"parameters\": {\"timeout\": 5, \"tag\": \"a\\u00e9\"}, ");
    }
    b.append("\"inputs\": [");
    int inputs = 1 + r.nextInt(3);
    for (int i = 0; i < inputs; i++) {
      if (i > 0) {
        b.append(",").append(r.nextBoolean() ? "\n  " : "");
      }
      DataType type = NUMERIC[r.nextInt(NUMERIC.length)];
      int rows = 1 + r.nextInt(3);
      int cols = 1 + r.nextInt(4);
      boolean nested = r.nextBoolean();
      StringBuilder data = new StringBuilder("[");
      for (int row = 0; row < rows; row++) {
        if (row > 0) {
          data.append(", ");
        }
        if (nested) {
          data.append("[");
        }
        for (int col = 0; col < cols; col++) {
          if (col > 0) {
            data.append(r.nextBoolean() ? "," : " , ");
          }
          data.append(randomValue(type, r));
        }
        if (nested) {
          data.append("]");
        }
      }
      data.append("]");
      List<String> fields =
          new ArrayList<>(
              List.of(
                  "\"name\": \"in" + i + "\"",
                  "\"shape\": [" + rows + ", " + cols + "]",
                  "\"datatype\": \"" + type + "\"",
                  "\"data\": " + data));
      if (r.nextInt(3) == 0) {
        java.util.Collections.swap(fields, r.nextInt(4), r.nextInt(4));
      }
      b.append("{").append(String.join(", ", fields)).append("}");
    }
    b.append("]}");
    return b.toString();
  }

  private static String randomValue(DataType type, SplittableRandom r) {
    return switch (type) {
      case BOOL -> r.nextBoolean() ? "true" : "false";
      case UINT8 -> Integer.toString(r.nextInt(256));
      case INT8 -> Integer.toString(r.nextInt(-128, 128));
      case INT16 -> Integer.toString(r.nextInt(Short.MIN_VALUE, Short.MAX_VALUE + 1));
      case UINT16 -> Integer.toString(r.nextInt(65536));
      case INT32 -> Integer.toString(r.nextInt());
      case UINT32 -> Long.toString(r.nextLong(1L << 32));
      case INT64 -> Long.toString(r.nextLong());
      case FP16 -> Float.toString((float) r.nextDouble(-1000, 1000));
      case FP32 ->
          switch (r.nextInt(4)) {
            case 0 -> Float.toString(r.nextFloat());
            case 1 -> Float.toString((float) (r.nextGaussian() * Math.pow(10, r.nextInt(-30, 30))));
            case 2 -> Integer.toString(r.nextInt(-100, 100));
            default -> String.format(java.util.Locale.ROOT, "%.17e", r.nextDouble(-1, 1));
          };
      default ->
          r.nextBoolean()
              ? Double.toString(r.nextGaussian() * Math.pow(10, r.nextInt(-300, 300)))
              : Double.toString(r.nextDouble());
    };
  }

  /** Flips, inserts, deletes or truncates a few bytes, favouring JSON's structural characters. */
  static byte[] mutate(byte[] in, SplittableRandom r) {
    byte[] special = "{}[]\",:-+.eE0 \\nultrfa".getBytes(StandardCharsets.US_ASCII);
    List<Byte> out = new ArrayList<>(in.length + 8);
    for (byte x : in) {
      out.add(x);
    }
    int edits = 1 + r.nextInt(4);
    for (int e = 0; e < edits && !out.isEmpty(); e++) {
      int at = r.nextInt(out.size());
      byte value = r.nextInt(3) == 0 ? (byte) r.nextInt(256) : special[r.nextInt(special.length)];
      switch (r.nextInt(4)) {
        case 0 -> out.set(at, value);
        case 1 -> out.add(at, value);
        case 2 -> out.remove(at);
        default -> out.subList(at, out.size()).clear();
      }
    }
    byte[] bytes = new byte[out.size()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = out.get(i);
    }
    return bytes;
  }
}
