package dev.kairos.gateway.pipeline;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.kairos.sdk.grpc.OipProtos;
import dev.kairos.sdk.grpc.proto.ModelInferRequest;
import dev.kairos.sdk.grpc.proto.ModelMetadataResponse;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.oip.RequestedOutput;
import dev.kairos.sdk.tensor.Tensor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;

/**
 * gRPC messages to and from the REST binary tensor extension the replicas speak: tensors are never
 * parsed element by element, raw contents are carried as bytes.
 */
final class GrpcTranscoding {
  private final ObjectMapper json = new ObjectMapper();

  /**
   * The JSON part of the binary tensor extension: every input's data is binary ({@code
   * binary_data_size}), in input order.
   */
  byte[] header(InferenceRequest r) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = json.getFactory().createGenerator(out)) {
      g.writeStartObject();
      if (r.id() != null) {
        g.writeStringField("id", r.id());
      }
      writeParameters(g, r.parameters(), -1);
      g.writeArrayFieldStart("inputs");
      for (Tensor t : r.inputs()) {
        g.writeStartObject();
        g.writeStringField("name", t.name());
        g.writeStringField("datatype", t.datatype().name());
        g.writeArrayFieldStart("shape");
        for (int i = 0; i < t.rank(); i++) {
          g.writeNumber(t.dim(i));
        }
        g.writeEndArray();
        writeParameters(g, t.parameters(), t.byteSize());
        g.writeEndObject();
      }
      g.writeEndArray();
      if (!r.outputs().isEmpty()) {
        g.writeArrayFieldStart("outputs");
        for (RequestedOutput o : r.outputs()) {
          g.writeStartObject();
          g.writeStringField("name", o.name());
          writeParameters(g, o.parameters(), -1);
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  private static void writeParameters(JsonGenerator g, Map<String, Object> params, long binarySize)
      throws IOException {
    if (params.isEmpty() && binarySize < 0) {
      return;
    }
    g.writeObjectFieldStart("parameters");
    for (Map.Entry<String, Object> e : params.entrySet()) {
      Object v = e.getValue();
      if (binarySize >= 0 && e.getKey().equals(OipJsonDecoder.BINARY_DATA_SIZE)) {
        continue;
      }
      g.writeFieldName(e.getKey());
      if (v instanceof Boolean b) {
        g.writeBoolean(b);
      } else if (v instanceof Long || v instanceof Integer) {
        g.writeNumber(((Number) v).longValue());
      } else {
        g.writeString(String.valueOf(v));
      }
    }
    if (binarySize >= 0) {
      g.writeNumberField(OipJsonDecoder.BINARY_DATA_SIZE, binarySize);
    }
    g.writeEndObject();
  }

  /**
   * The header followed by every input's bytes, without copying them: the raw contents the gRPC
   * message was parsed from back the buffer sent on to the replica.
   *
   * <p>When the message's one input is in raw contents that alias {@code array} (see {@link
   * GrpcFront.Received}) with room before them, the header is written into that room, over message
   * bytes already parsed, and the body is one slice of the array: a body in pieces is merged into a
   * new array when it is written to the replica's socket, a copy of the whole tensor.
   */
  static Buffer binaryBody(byte[] head, InferenceRequest r, ModelInferRequest m, byte[] array) {
    if (array != null
        && r.inputs().size() == 1
        && r.inputs().get(0).datatype().isFixedSize()
        && m.getRawInputContentsCount() == 1) {
      ByteString raw = m.getRawInputContents(0);
      // An aliased ByteString's buffer is a view of the array at the contents' own offset.
      int at = raw.asReadOnlyByteBuffer().position();
      int size = raw.size();
      if (size > 0
          && at >= head.length
          && at + (long) size <= array.length
          && array[at] == raw.byteAt(0)
          && array[at + size - 1] == raw.byteAt(size - 1)) {
        int start = at - head.length;
        System.arraycopy(head, 0, array, start, head.length);
        return BufferInternal.buffer(Unpooled.wrappedBuffer(array, start, head.length + size));
      }
    }
    ByteBuf[] parts = new ByteBuf[r.inputs().size() + 1];
    parts[0] = Unpooled.wrappedBuffer(head);
    for (int i = 0; i < r.inputs().size(); i++) {
      Tensor t = r.inputs().get(i);
      parts[i + 1] =
          Unpooled.wrappedBuffer(
              t.datatype().isFixedSize() ? t.buffer() : OipProtos.rawOf(t).asReadOnlyByteBuffer());
    }
    return BufferInternal.buffer(Unpooled.wrappedUnmodifiableBuffer(parts));
  }

  ModelMetadataResponse metadataOf(Buffer body) throws IOException {
    JsonNode n = json.readTree(body.getBytes());
    ModelMetadataResponse.Builder b =
        ModelMetadataResponse.newBuilder()
            .setName(n.path("name").asText())
            .setPlatform(n.path("platform").asText());
    n.path("versions").forEach(v -> b.addVersions(v.asText()));
    n.path("inputs").forEach(t -> b.addInputs(tensorMetadata(t)));
    n.path("outputs").forEach(t -> b.addOutputs(tensorMetadata(t)));
    return b.build();
  }

  private static ModelMetadataResponse.TensorMetadata tensorMetadata(JsonNode t) {
    ModelMetadataResponse.TensorMetadata.Builder b =
        ModelMetadataResponse.TensorMetadata.newBuilder()
            .setName(t.path("name").asText())
            .setDatatype(t.path("datatype").asText());
    t.path("shape").forEach(d -> b.addShape(d.asLong()));
    return b.build();
  }
}
