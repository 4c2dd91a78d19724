package dev.kairos.sdk.oip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Shapes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A position in the JSON part of a body and the OIP document grammar read from there: objects,
 * arrays, plain strings and shapes by hand; any other value through a Jackson parser opened on its
 * slice of the body, which validates it and reports where it ends.
 */
final class JsonCursor {
  /** Called with the cursor on a field's value. */
  interface FieldHandler {
    void field(String key);
  }

  static final int MAX_RANK = 32;

  private final JsonFactory factory;
  final byte[] b;
  final int end;
  int pos;

  JsonCursor(JsonFactory factory, byte[] b, int end) {
    this.factory = factory;
    this.b = b;
    this.end = end;
  }

  void ws() {
    pos = skipWs(b, pos, end);
  }

  /** The index of the first byte at or after {@code i} that is not JSON whitespace. */
  static int skipWs(byte[] b, int i, int end) {
    while (i < end && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
      i++;
    }
    return i;
  }

  int peek() {
    return pos < end ? b[pos] : -1;
  }

  /** Reads an object, calling {@code handler} with the cursor on each field's value. */
  void object(String what, FieldHandler handler) {
    ws();
    if (peek() != '{') {
      throw expected(what, "an object");
    }
    pos++;
    ws();
    if (peek() == '}') {
      pos++;
      return;
    }
    while (true) {
      ws();
      if (peek() != '"') {
        throw malformed("expected a field name");
      }
      String key = plainString();
      ws();
      if (peek() != ':') {
        throw malformed("expected ':' after field name \"" + key + "\"");
      }
      pos++;
      ws();
      handler.field(key);
      ws();
      int x = peek();
      pos++;
      if (x == '}') {
        return;
      }
      if (x != ',') {
        pos--;
        throw malformed("expected ',' or '}' in " + what);
      }
    }
  }

  /** Reads an array, calling {@code element} with the cursor on each element. */
  void array(String what, Runnable element) {
    ws();
    if (peek() != '[') {
      throw expected(what, "an array");
    }
    pos++;
    ws();
    if (peek() == ']') {
      pos++;
      return;
    }
    while (true) {
      ws();
      element.run();
      ws();
      int x = peek();
      pos++;
      if (x == ']') {
        return;
      }
      if (x != ',') {
        pos--;
        throw malformed("expected ',' or ']' in " + what);
      }
    }
  }

  /** A string value; escapes and anything unusual go through Jackson. */
  String string(String who) {
    if (peek() != '"') {
      throw expected(who, "a string");
    }
    return plainString();
  }

  private String plainString() {
    int start = pos + 1;
    for (int i = start; i < end; i++) {
      byte x = b[i];
      if (x == '"') {
        pos = i + 1;
        return new String(b, start, i - start, StandardCharsets.UTF_8);
      }
      if (x == '\\' || x < 0x20) {
        break; // escapes, or a control character Jackson will name
      }
    }
    Object v = jacksonValue("string");
    if (!(v instanceof String s)) {
      throw malformed("expected a string");
    }
    return s;
  }

  long[] shape(String who) {
    long[][] dims = {new long[4]};
    int[] n = {0};
    JsonNumbers.Scanned s = new JsonNumbers.Scanned();
    long[] value = new long[1];
    array(
        who + " shape",
        () -> {
          int start = pos;
          if (!JsonNumbers.scan(b, pos, end, s)
              || !s.integral
              || !JsonNumbers.toLong(b, start, s, false, value)) {
            throw new InvalidInputException(who + ": shape must be an array of integers");
          }
          pos = s.end;
          if (value[0] < 0) {
            throw new InvalidInputException(who + ": shape has negative dimension " + value[0]);
          }
          if (n[0] == MAX_RANK) {
            throw new InvalidInputException(
                who + ": shape has more than " + MAX_RANK + " dimensions");
          }
          if (n[0] == dims[0].length) {
            dims[0] = Arrays.copyOf(dims[0], n[0] * 2);
          }
          dims[0][n[0]++] = value[0];
        });
    long[] shape = Arrays.copyOf(dims[0], n[0]);
    try {
      Shapes.elementCount(shape);
    } catch (ArithmeticException e) {
      throw new InvalidInputException(who + ": shape " + Shapes.format(shape) + " is too large");
    }
    return shape;
  }

  DataType datatype(String who) {
    String s = string(who + " 'datatype'");
    try {
      return DataType.parse(s);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(who + ": " + e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> parameters(String who) {
    if (peek() != '{') {
      throw expected(who, "an object");
    }
    return (Map<String, Object>) jacksonValue(who);
  }

  List<RequestedOutput> requestedOutputs() {
    List<RequestedOutput> out = new ArrayList<>();
    array(
        "'outputs'",
        () -> {
          String where = "outputs[" + out.size() + "]";
          String[] name = {null};
          Map<String, Object>[] params = new Map[] {Map.of()};
          object(
              "'" + where + "'",
              key -> {
                switch (key) {
                  case "name" -> name[0] = string(where + ".name");
                  case "parameters" -> params[0] = parameters("output parameters");
                  default -> skip(key);
                }
              });
          if (name[0] == null) {
            throw new InvalidInputException("'" + where + "' has no 'name'");
          }
          out.add(new RequestedOutput(name[0], params[0]));
        });
    return out;
  }

  /** Validates and passes over any value. */
  void skip(String who) {
    jacksonValue(who);
  }

  /** Parses the value at the cursor with Jackson, leaving the cursor after it. */
  Object jacksonValue(String who) {
    try (JsonParser p = factory.createParser(b, pos, end - pos)) {
      Object v = value(p, p.nextToken(), who);
      p.finishToken();
      pos += (int) p.currentLocation().getByteOffset();
      return v;
    } catch (StreamConstraintsException e) {
      throw new InvalidInputException("request exceeds a JSON limit: " + e.getMessage(), e);
    } catch (JsonProcessingException e) {
      throw malformed(e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidInputException("unreadable body: " + e.getMessage(), e);
    }
  }

  void end() {
    ws();
    if (pos != end) {
      throw malformed("unexpected content after the JSON object");
    }
  }

  InvalidInputException expected(String who, String want) {
    if (pos >= end) {
      return malformed("the body ends where " + who + " should be " + want);
    }
    return new InvalidInputException(who + ": expected " + want + ", got " + describe() + at());
  }

  InvalidInputException malformed(String problem) {
    return new InvalidInputException("malformed JSON" + at() + ": " + problem);
  }

  String describe() {
    return switch (peek()) {
      case -1 -> "end of input";
      case '{' -> "an object";
      case '[' -> "an array";
      case '"' -> "a string";
      case 't', 'f' -> "a boolean";
      case 'n' -> "null";
      default -> peek() == '-' || (peek() >= '0' && peek() <= '9') ? "a number" : "invalid text";
    };
  }

  String at() {
    int line = 1;
    int col = 1;
    for (int i = 0; i < Math.min(pos, end); i++) {
      if (b[i] == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return " at line " + line + ", column " + col;
  }

  static Object value(JsonParser p, JsonToken t, String who) throws IOException {
    if (t == null) {
      throw new InvalidInputException(who + ": unexpected end of input");
    }
    return switch (t) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getNumberValue();
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          map.put(key, value(p, p.nextToken(), who + "." + key));
        }
        yield map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          list.add(value(p, t, who));
        }
        yield list;
      }
      default -> throw new InvalidInputException(who + ": unexpected " + t);
    };
  }
}
