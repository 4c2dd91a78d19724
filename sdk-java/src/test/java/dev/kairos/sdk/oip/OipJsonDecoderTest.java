package dev.kairos.sdk.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OipJsonDecoderTest {
  private final OipJsonDecoder decoder = new OipJsonDecoder();
  private final OipJsonEncoder encoder = new OipJsonEncoder();

  private InferenceRequest decode(String json) {
    return decoder.decodeRequest(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shouldDecodeFlatAndNestedDataToTheSameRowMajorTensor() {
    InferenceRequest flat =
        decode(
            "{\"id\":\"r1\",\"inputs\":[{\"name\":\"x\",\"shape\":[2,3],\"datatype\":\"FP32\","
                + "\"data\":[1,2,3,4,5,6.5]}]}");
    InferenceRequest nested =
        decode(
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[2,3],\"datatype\":\"FP32\","
                + "\"data\":[[1,2,3],[4,5,6.5]]}]}");
    assertThat(flat.id()).isEqualTo("r1");
    assertThat(flat.inputs().get(0).asFloatArray()).containsExactly(1, 2, 3, 4, 5, 6.5f);
    assertThat(nested.inputs().get(0).asFloatArray()).containsExactly(1, 2, 3, 4, 5, 6.5f);
    assertThat(nested.inputs().get(0).shape()).containsExactly(2, 3);
  }

  @Test
  void shouldDecodeDataThatArrivesBeforeItsDatatypeAndShape() {
    InferenceRequest r =
        decode(
            "{\"inputs\":[{\"data\":[7,8],\"name\":\"x\",\"datatype\":\"INT64\",\"shape\":[2]}]}");
    assertThat(r.inputs().get(0).asLongArray()).containsExactly(7, 8);
  }

  @Test
  void shouldDecodeEveryDatatype() {
    String json =
        "{\"inputs\":["
            + "{\"name\":\"b\",\"shape\":[2],\"datatype\":\"BOOL\",\"data\":[true,false]},"
            + "{\"name\":\"u8\",\"shape\":[2],\"datatype\":\"UINT8\",\"data\":[0,255]},"
            + "{\"name\":\"u16\",\"shape\":[1],\"datatype\":\"UINT16\",\"data\":[65535]},"
            + "{\"name\":\"u32\",\"shape\":[1],\"datatype\":\"UINT32\",\"data\":[4294967295]},"
            + "{\"name\":\"u64\",\"shape\":[1],\"datatype\":\"UINT64\",\"data\":[18446744073709551615]},"
            + "{\"name\":\"i8\",\"shape\":[2],\"datatype\":\"INT8\",\"data\":[-128,127]},"
            + "{\"name\":\"i16\",\"shape\":[1],\"datatype\":\"INT16\",\"data\":[-32768]},"
            + "{\"name\":\"i32\",\"shape\":[1],\"datatype\":\"INT32\",\"data\":[-2147483648]},"
            + "{\"name\":\"i64\",\"shape\":[1],\"datatype\":\"INT64\",\"data\":[-9223372036854775808]},"
            + "{\"name\":\"f16\",\"shape\":[2],\"datatype\":\"FP16\",\"data\":[1.5,-0.25]},"
            + "{\"name\":\"f64\",\"shape\":[1],\"datatype\":\"FP64\",\"data\":[1e300]},"
            + "{\"name\":\"s\",\"shape\":[2],\"datatype\":\"BYTES\",\"data\":[\"héllo\",\"\"]}]}";
    InferenceRequest r = decode(json);
    assertThat(r.requireInput("b").asBooleanArray()).containsExactly(true, false);
    assertThat(r.requireInput("u8").asLongArray()).containsExactly(0, 255);
    assertThat(r.requireInput("u16").asLongArray()).containsExactly(65535);
    assertThat(r.requireInput("u32").asLongArray()).containsExactly(4294967295L);
    assertThat(r.requireInput("u64").asLongArray()).containsExactly(-1L); // all bits set
    assertThat(r.requireInput("i8").asLongArray()).containsExactly(-128, 127);
    assertThat(r.requireInput("i16").asLongArray()).containsExactly(-32768);
    assertThat(r.requireInput("i32").asIntArray()).containsExactly(Integer.MIN_VALUE);
    assertThat(r.requireInput("i64").asLongArray()).containsExactly(Long.MIN_VALUE);
    assertThat(r.requireInput("f16").asFloatArray()).containsExactly(1.5f, -0.25f);
    assertThat(r.requireInput("f64").asDoubleArray()).containsExactly(1e300);
    assertThat(r.requireInput("s").asStrings()).containsExactly("héllo", "");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "too few elements | {\"inputs\":[{\"name\":\"x\",\"shape\":[2,2],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}"
            + " | input 'x': shape [2,2] needs 4 elements, data has 3",
        "too many elements | {\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1,2]}]}"
            + " | input 'x': shape [1] needs 1 elements, data has more",
        "unknown datatype | {\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP8\",\"data\":[1]}]}"
            + " | input 'x': unknown datatype 'FP8'",
        "string for a number | {\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[\"a\"]}]}"
            + " | input 'x': element 0 is a string, expected a number for datatype FP32",
        "float for an integer | {\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"INT32\",\"data\":[1.5]}]}"
            + " | input 'x': element 0 is a number, expected an integer for datatype INT32",
        "out of range | {\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"UINT8\",\"data\":[256]}]}"
            + " | input 'x': element 0 value 256 is out of range for UINT8",
        "FP32 overflow | {\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1e39]}]}"
            + " | out of range for FP32",
        "NaN literal | {\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[NaN]}]}"
            + " | malformed JSON",
        "no inputs | {\"id\":\"x\"} | request has no 'inputs' field",
        "missing shape | {\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"data\":[1]}]} | input 'x' has no 'shape'",
        "negative dim | {\"inputs\":[{\"name\":\"x\",\"shape\":[-1],\"datatype\":\"FP32\",\"data\":[1]}]}"
            + " | shape has negative dimension -1",
        "truncated | {\"inputs\":[{\"name\":\"x\",\"shape\":[1] | malformed JSON",
        "not an object | [1,2] | request body: expected an object, got an array",
        "trailing garbage | {\"inputs\":[]} x | malformed JSON",
        "inputs not an array | {\"inputs\":{}} | 'inputs': expected an array, got an object",
        "ragged nesting | {\"inputs\":[{\"name\":\"x\",\"shape\":[2,2],\"datatype\":\"FP32\",\"data\":[[1,2],[3]]}]}"
            + " | input 'x': nested data does not match shape [2,2]: found 1 entries at depth 2, the shape says 2",
        "mixed nesting | {\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[[1],2]}]}"
            + " | nested data does not match shape [2]: found an array where a number belongs",
        "flat then nested | {\"inputs\":[{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP32\",\"data\":[1,[2]]}]}"
            + " | found an array where a number belongs, at depth 1",
      })
  void shouldRejectBadRequestsNamingWhatIsWrong(String label, String json, String message) {
    assertThatThrownBy(() -> decode(json))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(message.trim());
  }

  @Test
  void shouldNotTrustAHugeDeclaredShapeForAllocation() {
    assertThatThrownBy(
            () ->
                decode(
                    "{\"inputs\":[{\"name\":\"x\",\"shape\":[100000000000],"
                        + "\"datatype\":\"FP64\",\"data\":[1,2]}]}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("needs 100000000000 elements, data has 2");
  }

  @Test
  void shouldRoundTripARequestThroughTheBinaryExtension() {
    InferenceRequest original =
        new InferenceRequest(
            "id-7",
            java.util.Map.of("timeout", 5),
            List.of(
                Tensor.ofFloats("x", new long[] {2, 2}, 1f, -2f, 3.25f, 4f),
                Tensor.ofStrings("s", new long[] {2}, List.of("a", "bcd"))),
            List.of());
    OipJsonEncoder.Encoded enc = encoder.encodeRequest(original, Set.of("x", "s"));
    assertThat(enc.hasBinary()).isTrue();
    InferenceRequest back = decoder.decodeRequest(enc.body(), enc.jsonLength());
    assertThat(back.id()).isEqualTo("id-7");
    assertThat(back.requireInput("x").asFloatArray()).containsExactly(1f, -2f, 3.25f, 4f);
    assertThat(back.requireInput("s").asStrings()).containsExactly("a", "bcd");
    assertThat(back.requireInput("x").parameters()).doesNotContainKey("binary_data_size");
  }

  @Test
  void shouldRejectBinarySizesThatLie() {
    InferenceRequest original = InferenceRequest.of(Tensor.ofFloats("x", new long[] {2}, 1f, 2f));
    OipJsonEncoder.Encoded enc = encoder.encodeRequest(original, Set.of("x"));
    byte[] truncated = java.util.Arrays.copyOf(enc.body(), enc.body().length - 1);
    assertThatThrownBy(() -> decoder.decodeRequest(truncated, enc.jsonLength()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("binary_data_size is 8 but only 7 bytes");
    byte[] extra = java.util.Arrays.copyOf(enc.body(), enc.body().length + 3);
    assertThatThrownBy(() -> decoder.decodeRequest(extra, enc.jsonLength()))
        .hasMessageContaining("3 bytes of binary data are not claimed");
    assertThatThrownBy(() -> decoder.decodeRequest(enc.body(), enc.body().length + 1))
        .hasMessageContaining("Inference-Header-Content-Length");
  }

  @Test
  void shouldRoundTripAResponseAsJson() {
    InferenceResponse r =
        new InferenceResponse(
            "m",
            "2",
            "id",
            java.util.Map.of(),
            List.of(Tensor.ofFloats("y", new long[] {3}, 0.1f, 1e-8f, -3f)));
    InferenceResponse back = decoder.decodeResponse(encoder.encodeResponse(r));
    assertThat(back.modelName()).isEqualTo("m");
    assertThat(back.modelVersion()).isEqualTo("2");
    assertThat(back.outputs().get(0).datatype()).isEqualTo(DataType.FP32);
    assertThat(back.outputs().get(0).asFloatArray()).containsExactly(0.1f, 1e-8f, -3f);
  }

  @Test
  void shouldReadErrorBodies() {
    assertThat(decoder.decodeError(encoder.encodeError("input 'x' is bad")))
        .isEqualTo("input 'x' is bad");
    assertThat(decoder.decodeError("plain".getBytes(StandardCharsets.UTF_8))).isEqualTo("plain");
  }
}
