package dev.kairos.sdk.oip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decodes Open Inference Protocol v2 JSON bodies, including the binary tensor extension.
 *
 * <p>Tensor data dominates these bodies (an image is 150,528 numbers), so the document's skeleton —
 * the top-level object, the tensor objects and their {@code data} arrays — is read by a byte
 * scanner that writes numbers straight into a little-endian buffer. Every other value ({@code
 * parameters}, requested outputs, unknown fields, escaped strings) is handed to a Jackson parser
 * opened on that slice of the body, which validates it and reports where it ends.
 *
 * <p>Every problem is an {@link InvalidInputException} whose message names the field or input.
 * Instances are immutable and thread-safe.
 */
public final class OipJsonDecoder {
  /** Parameter on an input or output carrying the byte length of its data in the binary section. */
  public static final String BINARY_DATA_SIZE = "binary_data_size";

  private final JsonFactory factory =
      JsonFactory.builder()
          .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
          .enable(StreamReadFeature.USE_FAST_BIG_NUMBER_PARSER)
          .build();

  /** Decodes a request that is JSON only. */
  public InferenceRequest decodeRequest(byte[] body) {
    return decodeRequest(body, body.length);
  }

  /**
   * Decodes a request whose first {@code jsonLength} bytes are JSON and whose rest is the binary
   * section of the binary tensor extension ({@code Inference-Header-Content-Length}).
   */
  public InferenceRequest decodeRequest(byte[] body, int jsonLength) {
    checkJsonLength(body, jsonLength);
    return decodeRequest(body, jsonLength, new BinarySection(body, jsonLength));
  }

  /**
   * Decodes a request of the binary tensor extension whose JSON part and binary section arrived
   * apart. Fixed-size tensors from the binary section are views of {@code binary} (between its
   * position and limit), not copies: they stay valid only as long as its memory does.
   */
  public InferenceRequest decodeRequest(byte[] json, ByteBuffer binary) {
    return decodeRequest(json, json.length, new BinarySection(binary));
  }

  private InferenceRequest decodeRequest(byte[] body, int jsonLength, BinarySection binary) {
    JsonCursor c = new JsonCursor(factory, body, jsonLength);
    String[] id = {null};
    Map<String, Object>[] params = new Map[] {Map.of()};
    List<Tensor>[] inputs = new List[] {null};
    List<RequestedOutput>[] outputs = new List[] {List.of()};
    c.object(
        "request body",
        key -> {
          switch (key) {
            case "id" -> id[0] = c.string("id");
            case "parameters" -> params[0] = c.parameters("parameters");
            case "inputs" -> inputs[0] = tensors(c, "input", binary);
            case "outputs" -> outputs[0] = c.requestedOutputs();
            default -> c.skip(key);
          }
        });
    c.end();
    if (inputs[0] == null) {
      throw new InvalidInputException("request has no 'inputs' field");
    }
    binary.ensureConsumed();
    return new InferenceRequest(id[0], params[0], inputs[0], outputs[0]);
  }

  public InferenceResponse decodeResponse(byte[] body) {
    return decodeResponse(body, body.length);
  }

  /** Decodes a response (the client side of the protocol). */
  public InferenceResponse decodeResponse(byte[] body, int jsonLength) {
    checkJsonLength(body, jsonLength);
    JsonCursor c = new JsonCursor(factory, body, jsonLength);
    BinarySection binary = new BinarySection(body, jsonLength);
    String[] text = new String[3];
    Map<String, Object>[] params = new Map[] {Map.of()};
    List<Tensor>[] outputs = new List[] {List.of()};
    c.object(
        "response body",
        key -> {
          switch (key) {
            case "model_name" -> text[0] = c.string("model_name");
            case "model_version" -> text[1] = c.string("model_version");
            case "id" -> text[2] = c.string("id");
            case "parameters" -> params[0] = c.parameters("parameters");
            case "outputs" -> outputs[0] = tensors(c, "output", binary);
            default -> c.skip(key);
          }
        });
    c.end();
    binary.ensureConsumed();
    return new InferenceResponse(text[0], text[1], text[2], params[0], outputs[0]);
  }

  /** Reads the message of an {@code {"error": "..."}} body, or the raw text if it is not one. */
  public String decodeError(byte[] body) {
    try (JsonParser p = factory.createParser(body)) {
      if (p.nextToken() == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken t = p.nextToken();
          if ("error".equals(field) && t == JsonToken.VALUE_STRING) {
            return p.getText();
          }
          p.skipChildren();
        }
      }
    } catch (IOException ignored) {
      // not JSON: fall back to the text
    }
    return new String(body, StandardCharsets.UTF_8);
  }

  private static void checkJsonLength(byte[] body, int jsonLength) {
    if (jsonLength < 0 || jsonLength > body.length) {
      throw new InvalidInputException(
          "Inference-Header-Content-Length is "
              + jsonLength
              + " but the body has "
              + body.length
              + " bytes");
    }
  }

  private List<Tensor> tensors(JsonCursor c, String kind, BinarySection binary) {
    List<Tensor> out = new ArrayList<>();
    c.array(
        "'" + kind + "s'", () -> out.add(tensor(c, kind, kind + "s[" + out.size() + "]", binary)));
    return out;
  }

  private Tensor tensor(JsonCursor c, String kind, String where, BinarySection binary) {
    String[] name = {null};
    long[][] shape = {null};
    DataType[] type = {null};
    Map<String, Object>[] params = new Map[] {Map.of()};
    TensorDataReader[] data = {null};
    int[] deferred = {-1};
    c.object(
        "'" + where + "'",
        key -> {
          String who = name[0] == null ? "'" + where + "'" : kind + " '" + name[0] + "'";
          switch (key) {
            case "name" -> name[0] = c.string(where + ".name");
            case "shape" -> shape[0] = c.shape(who);
            case "datatype" -> type[0] = c.datatype(who);
            case "parameters" -> params[0] = c.parameters(who + " parameters");
            case "data" -> {
              if (name[0] != null && shape[0] != null && type[0] != null) {
                data[0] = new TensorDataReader(kind, name[0], type[0], shape[0], c);
                data[0].read();
              } else {
                // Fields out of the usual order: remember where the data is, decode once typed.
                deferred[0] = c.pos;
                c.skip("data");
              }
            }
            default -> c.skip(key);
          }
        });
    String who = kind + " '" + name[0] + "'";
    if (name[0] == null) {
      throw new InvalidInputException("'" + where + "' has no 'name'");
    }
    if (type[0] == null) {
      throw new InvalidInputException(who + " has no 'datatype'");
    }
    if (shape[0] == null) {
      throw new InvalidInputException(who + " has no 'shape'");
    }
    if (deferred[0] >= 0) {
      int resume = c.pos;
      c.pos = deferred[0];
      data[0] = new TensorDataReader(kind, name[0], type[0], shape[0], c);
      data[0].read();
      c.pos = resume;
    }
    Object binarySize = params[0].get(BINARY_DATA_SIZE);
    if (binarySize != null) {
      if (data[0] != null) {
        throw new InvalidInputException(
            who + " has both 'data' and parameter '" + BINARY_DATA_SIZE + "'");
      }
      return binary.take(who, name[0], type[0], shape[0], binarySize, params[0]);
    }
    if (data[0] == null) {
      throw new InvalidInputException(who + " has no 'data'");
    }
    return data[0].build(params[0]);
  }
}
