package dev.kairos.gateway.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.kairos.sdk.oip.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;

/**
 * The gateway's side of the OpenAI-compatible API ({@code POST /v1/completions}, {@code POST
 * /v1/chat/completions}, {@code GET /v1/models}): the model is named in the body, not the path, so
 * the gateway reads it from there; the body itself is forwarded unchanged to a replica, which
 * answers (and streams) it. Everything here is a pure function of bytes, so the adapter moves with
 * whatever pipeline calls it.
 */
public final class OpenAi {
  public static final String COMPLETIONS = "/v1/completions";
  public static final String CHAT_COMPLETIONS = "/v1/chat/completions";
  public static final String MODELS = "/v1/models";

  /** Deep nesting in a body is refused by the parser rather than walked. */
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
          .build();

  private OpenAi() {}

  /** Whether a path is one the OpenAI API answers with its own error format. */
  public static boolean isOpenAiPath(String path) {
    return COMPLETIONS.equals(path) || CHAT_COMPLETIONS.equals(path) || MODELS.equals(path);
  }

  /**
   * What the gateway needs of a completion or chat request.
   *
   * @param model the model called
   * @param stream whether the answer is a stream of events ({@code "stream": true})
   */
  public record Request(String model, boolean stream) {}

  /**
   * Reads the {@code model} and {@code stream} fields of a completion or chat request body: the
   * whole body is read (so malformed JSON is refused here, before a replica is woken for it),
   * without building a tree. The other fields are the replica's to check.
   *
   * @throws InvalidInputException naming what is wrong: not JSON, not an object, no {@code model},
   *     or a {@code model} that is not a string
   */
  public static Request read(byte[] body) {
    String model = null;
    boolean seen = false;
    boolean stream = false;
    try (JsonParser p = JSON.createParser(body)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new InvalidInputException("the body is empty, must be a JSON object");
      }
      if (t != JsonToken.START_OBJECT) {
        throw new InvalidInputException("the body must be a JSON object, got " + describe(t));
      }
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        if ("model".equals(field) && !seen) {
          seen = true;
          if (v != JsonToken.VALUE_STRING) {
            throw new InvalidInputException("'model' must be a string, got " + describe(v));
          }
          model = p.getText();
        } else if ("stream".equals(field) && v == JsonToken.VALUE_TRUE) {
          stream = true;
        } else {
          p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        throw new InvalidInputException("malformed JSON: content after the object");
      }
    } catch (JsonProcessingException e) {
      throw new InvalidInputException("malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidInputException("unreadable body: " + e.getMessage());
    }
    if (!seen) {
      throw new InvalidInputException("the body has no 'model' field naming the model to call");
    }
    return new Request(model, stream);
  }

  /** {@code GET /v1/models}: OpenAI's list of models. */
  public static byte[] models(Collection<String> names) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("object", "list");
      g.writeArrayFieldStart("data");
      for (String name : names) {
        g.writeStartObject();
        g.writeStringField("id", name);
        g.writeStringField("object", "model");
        g.writeNumberField("created", 0);
        g.writeStringField("owned_by", "kairos");
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** An error in OpenAI's format, {@code {"error": {"message", "type", "param", "code"}}}. */
  public static byte[] error(int status, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeObjectFieldStart("error");
      g.writeStringField("message", message);
      g.writeStringField("type", type(status));
      g.writeNullField("param");
      g.writeNullField("code");
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * The event that ends a stream broken off mid-way (a replica died), in OpenAI's format: {@code
   * data: {"error": {...}}}, as OpenAI's clients read errors inside a stream.
   */
  public static byte[] streamError(String message) {
    byte[] error = error(502, message);
    byte[] out = new byte[6 + error.length + 2];
    System.arraycopy("data: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, out, 0, 6);
    System.arraycopy(error, 0, out, 6, error.length);
    out[out.length - 2] = '\n';
    out[out.length - 1] = '\n';
    return out;
  }

  private static String type(int status) {
    return switch (status) {
      case 400, 404, 405, 413 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 429 -> "rate_limit_error";
      case 503 -> "overloaded_error";
      case 504 -> "timeout_error";
      default -> "server_error";
    };
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "nothing";
    }
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.asString() == null ? t.name() : t.asString();
    };
  }
}
