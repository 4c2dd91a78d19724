package dev.kairos.sdk.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.kairos.sdk.grpc.proto.InferTensorContents;
import dev.kairos.sdk.grpc.proto.ModelInferRequest;
import dev.kairos.sdk.grpc.proto.ModelInferResponse;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.RequestedOutput;
import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Tensor;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OipProtosTest {
  private static Tensor sample(DataType type, long seed) {
    long[] shape = {2, 3};
    if (type == DataType.BYTES) {
      return Tensor.ofStrings("t", shape, List.of("a", "", "héllo", "x\u0000y", "longer one", "z"));
    }
    Random r = new Random(seed);
    ByteBuffer b = Tensor.allocate(6L * type.byteSize());
    for (int i = 0; i < 6; i++) {
      switch (type) {
        case BOOL -> b.put((byte) (r.nextBoolean() ? 1 : 0));
        case INT8, UINT8 -> b.put((byte) r.nextInt());
        case INT16, UINT16, FP16 -> b.putShort((short) r.nextInt(0x7bff));
        case INT32, UINT32 -> b.putInt(r.nextInt());
        case FP32 -> b.putFloat(r.nextFloat() * 100 - 50);
        case INT64, UINT64 -> b.putLong(r.nextLong());
        case FP64 -> b.putDouble(r.nextGaussian());
        default -> throw new IllegalStateException();
      }
    }
    b.flip();
    return Tensor.of("t", type, shape, b);
  }

  private static void assertSameData(Tensor got, Tensor want) {
    assertThat(got.datatype()).isEqualTo(want.datatype());
    assertThat(got.shape()).containsExactly(want.shape());
    if (want.datatype() == DataType.BYTES) {
      assertThat(got.asStrings()).isEqualTo(want.asStrings());
    } else {
      assertThat(got.buffer()).isEqualTo(want.buffer());
    }
  }

  @ParameterizedTest
  @EnumSource(DataType.class)
  void shouldRoundTripEveryDatatypeThroughRawContents(DataType type) {
    Tensor t = sample(type, 11);
    ModelInferRequest m = OipProtos.fromRequest("m", "2", InferenceRequest.of(t), true);
    assertThat(m.getRawInputContentsCount()).isEqualTo(1);
    assertThat(m.getModelVersion()).isEqualTo("2");
    assertSameData(OipProtos.toRequest(m).inputs().get(0), t);
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, mode = EnumSource.Mode.EXCLUDE, names = "FP16")
  void shouldRoundTripEveryDatatypeThroughTypedContents(DataType type) {
    Tensor t = sample(type, 12);
    ModelInferRequest m = OipProtos.fromRequest("m", null, InferenceRequest.of(t), false);
    assertThat(m.getRawInputContentsCount()).isZero();
    assertThat(m.getInputs(0).hasContents()).isTrue();
    assertSameData(OipProtos.toRequest(m).inputs().get(0), t);
  }

  @Test
  void shouldLayOutBytesAsLengthPrefixedLittleEndianElements() {
    Tensor t = Tensor.ofStrings("s", new long[] {2}, List.of("ab", "c"));
    ByteString raw = OipProtos.rawOf(t);
    ByteBuffer want = ByteBuffer.allocate(11).order(ByteOrder.LITTLE_ENDIAN);
    want.putInt(2).put((byte) 'a').put((byte) 'b').putInt(1).put((byte) 'c').flip();
    assertThat(raw.asReadOnlyByteBuffer()).isEqualTo(want);
  }

  @Test
  void shouldKeepIdParametersAndRequestedOutputs() {
    InferenceRequest r =
        new InferenceRequest(
            "req-1",
            Map.of("flag", true, "count", 3L, "name", "x"),
            List.of(Tensor.ofFloats("x", new long[] {1}, 1f)),
            List.of(new RequestedOutput("y", Map.of("binary_data", true))));
    InferenceRequest back = OipProtos.toRequest(OipProtos.fromRequest("m", null, r, true));
    assertThat(back.id()).isEqualTo("req-1");
    assertThat(back.parameters()).isEqualTo(Map.of("flag", true, "count", 3L, "name", "x"));
    assertThat(back.outputs())
        .containsExactly(new RequestedOutput("y", Map.of("binary_data", true)));
  }

  @Test
  void shouldAnswerWithRawOutputsThatDecodeToTheSameResponse() {
    InferenceResponse r =
        new InferenceResponse(
            "m",
            "1",
            "id",
            Map.of(),
            List.of(sample(DataType.FP32, 3), sample(DataType.BYTES, 4).withName("u")));
    ModelInferResponse m = OipProtos.fromResponse(r);
    assertThat(m.getRawOutputContentsCount()).isEqualTo(2);
    InferenceResponse back = OipProtos.toResponse(m);
    assertThat(back.modelName()).isEqualTo("m");
    assertThat(back.modelVersion()).isEqualTo("1");
    assertSameData(back.outputs().get(0), r.outputs().get(0));
    assertSameData(back.outputs().get(1), r.outputs().get(1));
  }

  @Test
  void shouldRefuseContentsThatDoNotFitTheShapeNamingTheInput() {
    ModelInferRequest shortRaw =
        ModelInferRequest.newBuilder()
            .addInputs(
                ModelInferRequest.InferInputTensor.newBuilder()
                    .setName("x")
                    .setDatatype("FP32")
                    .addShape(2)
                    .addShape(2))
            .addRawInputContents(ByteString.copyFrom(new byte[12]))
            .build();
    assertThatThrownBy(() -> OipProtos.toRequest(shortRaw))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("input 'x': shape [2,2] of FP32 needs 16 bytes of raw contents, got 12");
    ModelInferRequest typed =
        ModelInferRequest.newBuilder()
            .addInputs(
                ModelInferRequest.InferInputTensor.newBuilder()
                    .setName("x")
                    .setDatatype("INT32")
                    .addShape(3)
                    .setContents(InferTensorContents.newBuilder().addIntContents(1)))
            .build();
    assertThatThrownBy(() -> OipProtos.toRequest(typed))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("input 'x': shape [3] needs 3 elements, int_contents has 1");
    ModelInferRequest missingRaw = shortRaw.toBuilder().addInputs(shortRaw.getInputs(0)).build();
    assertThatThrownBy(() -> OipProtos.toRequest(missingRaw))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("raw_input_contents has 1 entries for 2 inputs");
    ModelInferRequest badType =
        shortRaw.toBuilder()
            .setInputs(0, shortRaw.getInputs(0).toBuilder().setDatatype("FP8"))
            .build();
    assertThatThrownBy(() -> OipProtos.toRequest(badType))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("input 'x': unknown datatype 'FP8'");
    ModelInferRequest tooBig =
        typed.toBuilder()
            .setInputs(
                0,
                typed.getInputs(0).toBuilder()
                    .setDatatype("INT8")
                    .clearShape()
                    .addShape(1)
                    .setContents(InferTensorContents.newBuilder().addIntContents(300)))
            .build();
    assertThatThrownBy(() -> OipProtos.toRequest(tooBig))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("value 300 is out of range");
  }

  @Test
  void shouldMapRestStatusesToGrpcCodesAndBack() {
    assertThat(GrpcStatuses.fromHttp(400)).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
    assertThat(GrpcStatuses.fromHttp(401)).isEqualTo(GrpcStatus.UNAUTHENTICATED);
    assertThat(GrpcStatuses.fromHttp(403)).isEqualTo(GrpcStatus.PERMISSION_DENIED);
    assertThat(GrpcStatuses.fromHttp(404)).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(GrpcStatuses.fromHttp(413)).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
    assertThat(GrpcStatuses.fromHttp(429)).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
    assertThat(GrpcStatuses.fromHttp(503)).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(GrpcStatuses.fromHttp(504)).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED);
    assertThat(GrpcStatuses.fromHttp(500)).isEqualTo(GrpcStatus.INTERNAL);
    for (int status : new int[] {400, 401, 403, 404, 503, 504}) {
      assertThat(GrpcStatuses.toHttp(GrpcStatuses.fromHttp(status))).isEqualTo(status);
    }
  }

  @Test
  void shouldEncodeRetryInfoAsAGoogleRpcStatus() throws Exception {
    byte[] status =
        Base64.getDecoder().decode(GrpcStatuses.retryDetails(GrpcStatus.UNAVAILABLE, "busy", 2));
    com.google.protobuf.CodedInputStream in =
        com.google.protobuf.CodedInputStream.newInstance(status);
    assertThat(in.readTag()).isEqualTo((1 << 3));
    assertThat(in.readInt32()).isEqualTo(14);
    assertThat(in.readTag()).isEqualTo((2 << 3) | 2);
    assertThat(in.readString()).isEqualTo("busy");
    assertThat(in.readTag()).isEqualTo((3 << 3) | 2);
    com.google.protobuf.Any any = com.google.protobuf.Any.parseFrom(in.readBytes());
    assertThat(any.getTypeUrl()).isEqualTo("type.googleapis.com/google.rpc.RetryInfo");
    // RetryInfo { Duration retry_delay = 1 } with Duration { seconds = 1 }
    com.google.protobuf.CodedInputStream info = any.getValue().newCodedInput();
    assertThat(info.readTag()).isEqualTo((1 << 3) | 2);
    assertThat(com.google.protobuf.Duration.parseFrom(info.readBytes()).getSeconds()).isEqualTo(2);
  }
}
