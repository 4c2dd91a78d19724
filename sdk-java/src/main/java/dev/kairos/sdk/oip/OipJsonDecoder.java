package dev.kairos.sdk.oip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Fp16;
import dev.kairos.sdk.tensor.Shapes;
import dev.kairos.sdk.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
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

  private static final int MAX_RANK = 32;

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
    Cursor c = new Cursor(body, jsonLength);
    Binary binary = new Binary(body, jsonLength);
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
    Cursor c = new Cursor(body, jsonLength);
    Binary binary = new Binary(body, jsonLength);
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

  private List<Tensor> tensors(Cursor c, String kind, Binary binary) {
    List<Tensor> out = new ArrayList<>();
    c.array(
        "'" + kind + "s'", () -> out.add(tensor(c, kind, kind + "s[" + out.size() + "]", binary)));
    return out;
  }

  private Tensor tensor(Cursor c, String kind, String where, Binary binary) {
    String[] name = {null};
    long[][] shape = {null};
    DataType[] type = {null};
    Map<String, Object>[] params = new Map[] {Map.of()};
    TensorData[] data = {null};
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
                data[0] = new TensorData(kind, name[0], type[0], shape[0], c);
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
      data[0] = new TensorData(kind, name[0], type[0], shape[0], c);
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

  /** A field handler of {@link Cursor#object}. */
  private interface FieldHandler {
    void field(String key);
  }

  /** A position in the JSON part of a body, and the grammar read from there. */
  private final class Cursor {
    final byte[] b;
    final int end;
    int pos;

    Cursor(byte[] b, int end) {
      this.b = b;
      this.end = end;
    }

    void ws() {
      while (pos < end) {
        byte x = b[pos];
        if (x != ' ' && x != '\n' && x != '\r' && x != '\t') {
          return;
        }
        pos++;
      }
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
  }

  /** Tensor data read from JSON into a typed little-endian buffer, flat or nested. */
  private static final class TensorData {
    private final String label;
    private final String name;
    private final DataType type;
    private final long[] shape;
    private final long expected;
    private final Cursor c;
    private final JsonNumbers.Scanned scanned = new JsonNumbers.Scanned();
    private final long[] integer = new long[1];
    private final int[] numberEnd = new int[1];
    private ByteBuffer buf;
    private List<byte[]> strings;
    private long count;

    TensorData(String kind, String name, DataType type, long[] shape, Cursor c) {
      this.label = kind + " '" + name + "'";
      this.name = name;
      this.type = type;
      this.shape = shape;
      this.expected = Shapes.elementCount(shape);
      this.c = c;
      if (type.isFixedSize()) {
        // Never trust a declared shape for an allocation: a JSON element takes at least 2 bytes.
        long bound = (c.end - c.pos) / 2 + 1;
        buf =
            ByteBuffer.allocate((int) (Math.min(expected, bound) * type.byteSize()))
                .order(ByteOrder.LITTLE_ENDIAN);
      }
    }

    void read() {
      if (type == DataType.BYTES) {
        strings = new ArrayList<>();
        flattenStrings(c.jacksonValue(label + " data"));
      } else if (c.peek() == '[') {
        readArray(1);
      } else {
        element(); // a bare scalar, for a single-element tensor
      }
    }

    private void readArray(int depth) {
      if (depth > MAX_RANK) {
        throw new InvalidInputException(
            label + ": data is nested deeper than " + MAX_RANK + " levels");
      }
      c.pos++;
      c.ws();
      if (c.peek() == ']') {
        c.pos++;
        return;
      }
      while (true) {
        c.ws();
        if (c.peek() == '[') {
          readArray(depth + 1);
        } else {
          element();
        }
        c.ws();
        int x = c.peek();
        c.pos++;
        if (x == ']') {
          return;
        }
        if (x != ',') {
          c.pos--;
          throw c.malformed("expected ',' or ']' in the data of " + label);
        }
      }
    }

    private void element() {
      if (++count > expected) {
        throw new InvalidInputException(
            label
                + ": shape "
                + Shapes.format(shape)
                + " needs "
                + expected
                + " elements, data has more");
      }
      if (buf.remaining() < 8) {
        grow();
      }
      byte[] b = c.b;
      int start = c.pos;
      if (type == DataType.BOOL) {
        if (literal("true")) {
          buf.put((byte) 1);
        } else if (literal("false")) {
          buf.put((byte) 0);
        } else {
          throw wrongType();
        }
        return;
      }
      if (type.isFloatingPoint()) {
        double d = JsonNumbers.readDouble(b, start, c.end, numberEnd);
        if (Double.isNaN(d)) {
          throw wrongType();
        }
        c.pos = numberEnd[0];
        if (type == DataType.FP32) {
          float f = (float) d;
          if (Float.isInfinite(f)) {
            throw outOfRange(start, numberEnd[0]);
          }
          buf.putFloat(f);
        } else if (type == DataType.FP64) {
          if (Double.isInfinite(d)) {
            throw outOfRange(start, numberEnd[0]);
          }
          buf.putDouble(d);
        } else {
          if (Math.abs(d) > 65504) {
            throw outOfRange(start, numberEnd[0]);
          }
          buf.putShort(Fp16.fromFloat((float) d));
        }
        return;
      }
      if (!JsonNumbers.scan(b, start, c.end, scanned)) {
        throw wrongType();
      }
      c.pos = scanned.end;
      switch (type) {
        default -> {
          if (!scanned.integral) {
            throw new InvalidInputException(
                label
                    + ": element "
                    + (count - 1)
                    + " is a number, expected an integer for datatype "
                    + type);
          }
          if (!JsonNumbers.toLong(b, start, scanned, type == DataType.UINT64, integer)) {
            throw outOfRange(start, scanned.end);
          }
          long v = integer[0];
          switch (type) {
            case INT8 ->
                buf.put((byte) range(start, scanned.end, v, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case UINT8 -> buf.put((byte) range(start, scanned.end, v, 0, 0xff));
            case INT16 ->
                buf.putShort(
                    (short) range(start, scanned.end, v, Short.MIN_VALUE, Short.MAX_VALUE));
            case UINT16 -> buf.putShort((short) range(start, scanned.end, v, 0, 0xffff));
            case INT32 ->
                buf.putInt(
                    (int) range(start, scanned.end, v, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case UINT32 -> buf.putInt((int) range(start, scanned.end, v, 0, 0xffffffffL));
            case INT64, UINT64 -> buf.putLong(v);
            default -> throw new IllegalStateException("unreachable: " + type);
          }
        }
      }
    }

    private boolean literal(String word) {
      int n = word.length();
      if (c.end - c.pos < n) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (c.b[c.pos + i] != word.charAt(i)) {
          return false;
        }
      }
      c.pos += n;
      return true;
    }

    private void grow() {
      long grown = Math.min((long) buf.capacity() * 2 + 64, expected * type.byteSize());
      ByteBuffer next = ByteBuffer.allocate((int) grown).order(ByteOrder.LITTLE_ENDIAN);
      buf.flip();
      next.put(buf);
      buf = next;
    }

    private void flattenStrings(Object value) {
      if (value instanceof List<?> list) {
        for (Object o : list) {
          flattenStrings(o);
        }
        return;
      }
      if (++count > expected) {
        throw new InvalidInputException(
            label
                + ": shape "
                + Shapes.format(shape)
                + " needs "
                + expected
                + " elements, data has more");
      }
      if (!(value instanceof String s)) {
        throw new InvalidInputException(
            label
                + ": element "
                + (count - 1)
                + " is "
                + (value == null
                    ? "null"
                    : value instanceof Map
                        ? "an object"
                        : value instanceof Boolean ? "a boolean" : "a number")
                + ", expected a string for datatype BYTES");
      }
      strings.add(s.getBytes(StandardCharsets.UTF_8));
    }

    private long range(int start, int stop, long v, long min, long max) {
      if (v < min || v > max) {
        throw outOfRange(start, stop);
      }
      return v;
    }

    private InvalidInputException wrongType() {
      String got = c.describe();
      if (got.equals("invalid text") || got.equals("end of input")) {
        return c.malformed("expected a value in the data of " + label);
      }
      String want =
          type == DataType.BOOL ? "a boolean" : type.isFloatingPoint() ? "a number" : "an integer";
      return new InvalidInputException(
          label
              + ": element "
              + (count - 1)
              + " is "
              + got
              + ", expected "
              + want
              + " for datatype "
              + type);
    }

    private InvalidInputException outOfRange(int start, int stop) {
      return new InvalidInputException(
          label
              + ": element "
              + (count - 1)
              + " value "
              + new String(c.b, start, Math.min(stop - start, 64), StandardCharsets.ISO_8859_1)
              + " is out of range for "
              + type);
    }

    Tensor build(Map<String, Object> params) {
      if (count != expected) {
        throw new InvalidInputException(
            label
                + ": shape "
                + Shapes.format(shape)
                + " needs "
                + expected
                + " elements, data has "
                + count);
      }
      if (type == DataType.BYTES) {
        return Tensor.ofBytes(name, shape, strings, params);
      }
      buf.flip();
      return Tensor.of(name, type, shape, buf, params);
    }
  }

  /** The binary section after the JSON header, consumed tensor by tensor in order. */
  private static final class Binary {
    private final byte[] body;
    private int pos;

    Binary(byte[] body, int jsonLength) {
      this.body = body;
      this.pos = jsonLength;
    }

    Tensor take(
        String who,
        String name,
        DataType type,
        long[] shape,
        Object sizeParam,
        Map<String, Object> params) {
      if (!(sizeParam instanceof Number n)
          || n.longValue() < 0
          || n.doubleValue() != n.longValue()) {
        throw new InvalidInputException(
            who + ": " + BINARY_DATA_SIZE + " must be a non-negative integer");
      }
      long size = n.longValue();
      if (size > body.length - pos) {
        throw new InvalidInputException(
            who
                + ": "
                + BINARY_DATA_SIZE
                + " is "
                + size
                + " but only "
                + (body.length - pos)
                + " bytes of binary data remain");
      }
      Map<String, Object> rest = new LinkedHashMap<>(params);
      rest.remove(BINARY_DATA_SIZE);
      int start = pos;
      pos += (int) size;
      long expected = Shapes.elementCount(shape);
      if (type.isFixedSize()) {
        if (size != expected * type.byteSize()) {
          throw new InvalidInputException(
              who
                  + ": shape "
                  + Shapes.format(shape)
                  + " of "
                  + type
                  + " needs "
                  + expected * type.byteSize()
                  + " bytes, "
                  + BINARY_DATA_SIZE
                  + " is "
                  + size);
        }
        return Tensor.of(name, type, shape, ByteBuffer.wrap(body, start, (int) size), rest);
      }
      List<byte[]> elements = new ArrayList<>();
      ByteBuffer b = ByteBuffer.wrap(body, start, (int) size).order(ByteOrder.LITTLE_ENDIAN);
      while (b.hasRemaining()) {
        if (b.remaining() < 4 || elements.size() >= expected) {
          throw new InvalidInputException(
              who + ": BYTES data does not match shape " + Shapes.format(shape));
        }
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
          throw new InvalidInputException(
              who + ": BYTES element of " + len + " bytes overruns its data");
        }
        byte[] e = new byte[len];
        b.get(e);
        elements.add(e);
      }
      if (elements.size() != expected) {
        throw new InvalidInputException(
            who
                + ": shape "
                + Shapes.format(shape)
                + " needs "
                + expected
                + " elements, binary data has "
                + elements.size());
      }
      return Tensor.ofBytes(name, shape, elements, rest);
    }

    void ensureConsumed() {
      if (pos != body.length) {
        throw new InvalidInputException(
            (body.length - pos) + " bytes of binary data are not claimed by any tensor");
      }
    }
  }

  private static Object value(JsonParser p, JsonToken t, String who) throws IOException {
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
