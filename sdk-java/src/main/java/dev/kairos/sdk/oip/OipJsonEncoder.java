package dev.kairos.sdk.oip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.kairos.sdk.model.ModelSignature;
import dev.kairos.sdk.model.TensorSpec;
import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Encodes Open Inference Protocol v2 bodies: requests, responses (JSON or with the binary tensor
 * extension), metadata and errors. Instances are immutable and thread-safe.
 */
public final class OipJsonEncoder {
  private final JsonFactory factory;

  public OipJsonEncoder() {
    this.factory = JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
  }

  /**
   * A body whose first {@code jsonLength} bytes are JSON; when that is shorter than the body, the
   * rest is the binary section and {@code Inference-Header-Content-Length} must be sent.
   */
  public record Encoded(byte[] body, int jsonLength) {
    public boolean hasBinary() {
      return jsonLength != body.length;
    }
  }

  public byte[] encodeResponse(InferenceResponse response) {
    return encodeResponse(response, Set.of()).body();
  }

  /** Encodes a response; outputs named in {@code binaryOutputs} go to the binary section. */
  public Encoded encodeResponse(InferenceResponse response, Set<String> binaryOutputs) {
    return write(
        (g, binary) -> {
          g.writeStartObject();
          if (response.modelName() != null) {
            g.writeStringField("model_name", response.modelName());
          }
          if (response.modelVersion() != null) {
            g.writeStringField("model_version", response.modelVersion());
          }
          if (response.id() != null) {
            g.writeStringField("id", response.id());
          }
          if (!response.parameters().isEmpty()) {
            g.writeFieldName("parameters");
            writeMap(g, response.parameters());
          }
          g.writeArrayFieldStart("outputs");
          for (Tensor t : response.outputs()) {
            writeTensor(g, t, binaryOutputs.contains(t.name()) ? binary : null);
          }
          g.writeEndArray();
          g.writeEndObject();
        },
        response.outputs(),
        binaryOutputs);
  }

  public byte[] encodeRequest(InferenceRequest request) {
    return encodeRequest(request, Set.of()).body();
  }

  /** Encodes a request; inputs named in {@code binaryInputs} go to the binary section. */
  public Encoded encodeRequest(InferenceRequest request, Set<String> binaryInputs) {
    return write(
        (g, binary) -> {
          g.writeStartObject();
          if (request.id() != null) {
            g.writeStringField("id", request.id());
          }
          if (!request.parameters().isEmpty()) {
            g.writeFieldName("parameters");
            writeMap(g, request.parameters());
          }
          g.writeArrayFieldStart("inputs");
          for (Tensor t : request.inputs()) {
            writeTensor(g, t, binaryInputs.contains(t.name()) ? binary : null);
          }
          g.writeEndArray();
          if (!request.outputs().isEmpty()) {
            g.writeArrayFieldStart("outputs");
            for (RequestedOutput o : request.outputs()) {
              g.writeStartObject();
              g.writeStringField("name", o.name());
              if (!o.parameters().isEmpty()) {
                g.writeFieldName("parameters");
                writeMap(g, o.parameters());
              }
              g.writeEndObject();
            }
            g.writeEndArray();
          }
          g.writeEndObject();
        },
        request.inputs(),
        binaryInputs);
  }

  /** {@code {"error": message}}. */
  public byte[] encodeError(String message) {
    return write(
            (g, b) -> {
              g.writeStartObject();
              g.writeStringField("error", message == null ? "unknown error" : message);
              g.writeEndObject();
            },
            List.of(),
            Set.of())
        .body();
  }

  /** Model metadata as the protocol defines it. */
  public byte[] encodeModelMetadata(
      String name, List<String> versions, String platform, ModelSignature signature) {
    return write(
            (g, b) -> {
              g.writeStartObject();
              g.writeStringField("name", name);
              g.writeArrayFieldStart("versions");
              for (String v : versions) {
                g.writeString(v);
              }
              g.writeEndArray();
              g.writeStringField("platform", platform);
              writeSpecs(g, "inputs", signature.inputs());
              writeSpecs(g, "outputs", signature.outputs());
              g.writeEndObject();
            },
            List.of(),
            Set.of())
        .body();
  }

  /** Server metadata: name, version, extensions. */
  public byte[] encodeServerMetadata(String name, String version, List<String> extensions) {
    return write(
            (g, b) -> {
              g.writeStartObject();
              g.writeStringField("name", name);
              g.writeStringField("version", version);
              g.writeArrayFieldStart("extensions");
              for (String e : extensions) {
                g.writeString(e);
              }
              g.writeEndArray();
              g.writeEndObject();
            },
            List.of(),
            Set.of())
        .body();
  }

  private static void writeSpecs(JsonGenerator g, String field, List<TensorSpec> specs)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (TensorSpec s : specs) {
      g.writeStartObject();
      g.writeStringField("name", s.name());
      g.writeStringField("datatype", s.datatype().name());
      g.writeArrayFieldStart("shape");
      for (long d : s.shape()) {
        g.writeNumber(d);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private interface Body {
    void write(JsonGenerator g, ByteArrayBuilder binary) throws IOException;
  }

  private Encoded write(Body body, List<Tensor> tensors, Set<String> binaryNames) {
    long binarySize = 0;
    long jsonGuess = 256;
    for (Tensor t : tensors) {
      if (binaryNames.contains(t.name())) {
        binarySize += t.byteSize();
      } else {
        jsonGuess += t.elementCount() * 12;
      }
    }
    ByteArrayBuilder json = new ByteArrayBuilder((int) Math.min(jsonGuess, 1 << 24));
    ByteArrayBuilder binary = new ByteArrayBuilder((int) Math.min(binarySize + 1, 1 << 30));
    try (JsonGenerator g = factory.createGenerator(json)) {
      body.write(g, binary);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] head = json.toByteArray();
    if (binarySize == 0 && binary.size() == 0) {
      return new Encoded(head, head.length);
    }
    byte[] tail = binary.toByteArray();
    byte[] all = new byte[head.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return new Encoded(all, head.length);
  }

  private static void writeTensor(JsonGenerator g, Tensor t, ByteArrayBuilder binary)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("name", t.name());
    g.writeStringField("datatype", t.datatype().name());
    g.writeArrayFieldStart("shape");
    for (int i = 0; i < t.rank(); i++) {
      g.writeNumber(t.dim(i));
    }
    g.writeEndArray();
    if (binary != null || !t.parameters().isEmpty()) {
      g.writeObjectFieldStart("parameters");
      for (Map.Entry<String, Object> e : t.parameters().entrySet()) {
        if (!OipJsonDecoder.BINARY_DATA_SIZE.equals(e.getKey())) {
          g.writeFieldName(e.getKey());
          writeValue(g, e.getValue());
        }
      }
      if (binary != null) {
        g.writeNumberField(OipJsonDecoder.BINARY_DATA_SIZE, t.byteSize());
      }
      g.writeEndObject();
    }
    if (binary != null) {
      writeBinary(t, binary);
    } else {
      g.writeFieldName("data");
      writeData(g, t);
    }
    g.writeEndObject();
  }

  private static void writeBinary(Tensor t, ByteArrayBuilder out) {
    if (t.datatype() == DataType.BYTES) {
      ByteBuffer b = BytesLayout.encode(t);
      out.write(b.array(), 0, b.limit());
      return;
    }
    ByteBuffer b = t.buffer();
    if (b.hasArray()) {
      out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
    } else {
      byte[] copy = new byte[b.remaining()];
      b.get(copy);
      out.write(copy, 0, copy.length);
    }
  }

  private static void writeData(JsonGenerator g, Tensor t) throws IOException {
    int n = (int) t.elementCount();
    g.writeStartArray();
    switch (t.datatype()) {
      case BYTES -> {
        for (String s : t.asStrings()) {
          g.writeString(s);
        }
      }
      case BOOL -> {
        ByteBuffer b = t.buffer();
        for (int i = 0; i < n; i++) {
          g.writeBoolean(b.get(i) != 0);
        }
      }
      case FP32 -> {
        ByteBuffer b = t.buffer();
        for (int i = 0; i < n; i++) {
          g.writeNumber(b.getFloat(i * 4));
        }
      }
      case FP64 -> {
        ByteBuffer b = t.buffer();
        for (int i = 0; i < n; i++) {
          g.writeNumber(b.getDouble(i * 8));
        }
      }
      case FP16 -> {
        for (int i = 0; i < n; i++) {
          g.writeNumber((float) t.getDouble(i));
        }
      }
      case UINT64 -> {
        ByteBuffer b = t.buffer();
        for (int i = 0; i < n; i++) {
          long v = b.getLong(i * 8);
          if (v >= 0) {
            g.writeNumber(v);
          } else {
            g.writeNumber(new java.math.BigInteger(Long.toUnsignedString(v)));
          }
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          g.writeNumber(t.getLong(i));
        }
      }
    }
    g.writeEndArray();
  }

  private static void writeMap(JsonGenerator g, Map<String, Object> map) throws IOException {
    g.writeStartObject();
    for (Map.Entry<String, Object> e : map.entrySet()) {
      g.writeFieldName(e.getKey());
      writeValue(g, e.getValue());
    }
    g.writeEndObject();
  }

  @SuppressWarnings("unchecked")
  private static void writeValue(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Integer || v instanceof Long || v instanceof Short) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof Number n) {
      g.writeNumber(n.doubleValue());
    } else if (v instanceof Map<?, ?> m) {
      writeMap(g, (Map<String, Object>) m);
    } else if (v instanceof List<?> l) {
      g.writeStartArray();
      for (Object o : l) {
        writeValue(g, o);
      }
      g.writeEndArray();
    } else {
      g.writeString(v.toString());
    }
  }
}
