package dev.kairos.sdk.oip;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.kairos.sdk.tensor.DataType;
import dev.kairos.sdk.tensor.Shapes;
import dev.kairos.sdk.tensor.Tensor;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes Open Inference Protocol v2 JSON bodies, including the binary tensor extension, with a
 * streaming parser: tensor data goes straight from JSON tokens into a little-endian buffer.
 *
 * <p>Every problem is an {@link InvalidInputException} whose message names the field or input.
 * Instances are immutable and thread-safe.
 */
public final class OipJsonDecoder {
  /** Parameter on an input or output carrying the byte length of its data in the binary section. */
  public static final String BINARY_DATA_SIZE = "binary_data_size";

  private static final BigInteger UINT64_MAX =
      BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private final JsonFactory factory;

  public OipJsonDecoder() {
    this.factory =
        JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamReadFeature.USE_FAST_BIG_NUMBER_PARSER)
            .build();
  }

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
    Binary binary = new Binary(body, jsonLength);
    try (JsonParser p = factory.createParser(body, 0, jsonLength)) {
      expect(p, p.nextToken(), JsonToken.START_OBJECT, "request body");
      String id = null;
      Map<String, Object> params = Map.of();
      List<Tensor> inputs = null;
      List<RequestedOutput> outputs = List.of();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "id" -> id = string(p, t, "id");
          case "parameters" -> params = parameters(p, t, "parameters");
          case "inputs" -> inputs = tensors(p, t, "inputs", binary);
          case "outputs" -> outputs = requestedOutputs(p, t);
          default -> p.skipChildren();
        }
      }
      ensureEnd(p);
      if (inputs == null) {
        throw new InvalidInputException("request has no 'inputs' field");
      }
      binary.ensureConsumed();
      return new InferenceRequest(id, params, inputs, outputs);
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  /** Decodes a response (the client side of the protocol). */
  public InferenceResponse decodeResponse(byte[] body, int jsonLength) {
    checkJsonLength(body, jsonLength);
    Binary binary = new Binary(body, jsonLength);
    try (JsonParser p = factory.createParser(body, 0, jsonLength)) {
      expect(p, p.nextToken(), JsonToken.START_OBJECT, "response body");
      String model = null;
      String version = null;
      String id = null;
      Map<String, Object> params = Map.of();
      List<Tensor> outputs = List.of();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "model_name" -> model = string(p, t, "model_name");
          case "model_version" -> version = string(p, t, "model_version");
          case "id" -> id = string(p, t, "id");
          case "parameters" -> params = parameters(p, t, "parameters");
          case "outputs" -> outputs = tensors(p, t, "outputs", binary);
          default -> p.skipChildren();
        }
      }
      ensureEnd(p);
      return new InferenceResponse(model, version, id, params, outputs);
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  public InferenceResponse decodeResponse(byte[] body) {
    return decodeResponse(body, body.length);
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

  private List<Tensor> tensors(JsonParser p, JsonToken t, String field, Binary binary)
      throws IOException {
    expect(p, t, JsonToken.START_ARRAY, "'" + field + "'");
    List<Tensor> out = new ArrayList<>();
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      out.add(tensor(p, t, field + "[" + out.size() + "]", binary));
    }
    return out;
  }

  private Tensor tensor(JsonParser p, JsonToken t, String where, Binary binary) throws IOException {
    expect(p, t, JsonToken.START_OBJECT, "'" + where + "'");
    String name = null;
    long[] shape = null;
    DataType datatype = null;
    Map<String, Object> params = Map.of();
    TensorBuilder data = null;
    TokenBuffer deferred = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      t = p.nextToken();
      switch (field) {
        case "name" -> name = string(p, t, where + ".name");
        case "shape" -> shape = shape(p, t, label(name, where));
        case "datatype" -> datatype = datatype(p, t, label(name, where));
        case "parameters" -> params = parameters(p, t, label(name, where) + " parameters");
        case "data" -> {
          if (datatype != null && shape != null && name != null) {
            data = new TensorBuilder(name, datatype, shape, binary.jsonLength / 2 + 1);
            data.read(p, t);
          } else {
            // Fields arrived out of the usual order: keep the tokens, decode once typed.
            deferred = TokenBuffer.asCopyOfValue(p);
          }
        }
        default -> p.skipChildren();
      }
    }
    if (name == null) {
      throw new InvalidInputException("'" + where + "' has no 'name'");
    }
    if (datatype == null) {
      throw new InvalidInputException(label(name, where) + " has no 'datatype'");
    }
    if (shape == null) {
      throw new InvalidInputException(label(name, where) + " has no 'shape'");
    }
    if (deferred != null) {
      try (JsonParser dp = deferred.asParser()) {
        data = new TensorBuilder(name, datatype, shape, binary.jsonLength / 2 + 1);
        data.read(dp, dp.nextToken());
      }
    }
    Object binarySize = params.get(BINARY_DATA_SIZE);
    if (binarySize != null) {
      if (data != null) {
        throw new InvalidInputException(
            label(name, where) + " has both 'data' and parameter '" + BINARY_DATA_SIZE + "'");
      }
      return binary.take(name, datatype, shape, binarySize, params);
    }
    if (data == null) {
      throw new InvalidInputException(label(name, where) + " has no 'data'");
    }
    return data.build(params);
  }

  private static String label(String name, String where) {
    return name == null
        ? "'" + where + "'"
        : (where.startsWith("output") ? "output '" : "input '") + name + "'";
  }

  private static long[] shape(JsonParser p, JsonToken t, String who) throws IOException {
    expect(p, t, JsonToken.START_ARRAY, who + " 'shape'");
    long[] dims = new long[4];
    int n = 0;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.VALUE_NUMBER_INT
          || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        throw new InvalidInputException(who + ": shape must be an array of integers");
      }
      long d = p.getLongValue();
      if (d < 0) {
        throw new InvalidInputException(who + ": shape has negative dimension " + d);
      }
      if (n == dims.length) {
        if (n >= 32) {
          throw new InvalidInputException(who + ": shape has more than 32 dimensions");
        }
        dims = java.util.Arrays.copyOf(dims, n * 2);
      }
      dims[n++] = d;
    }
    long[] shape = java.util.Arrays.copyOf(dims, n);
    try {
      Shapes.elementCount(shape);
    } catch (ArithmeticException e) {
      throw new InvalidInputException(who + ": shape " + Shapes.format(shape) + " is too large");
    }
    return shape;
  }

  private static DataType datatype(JsonParser p, JsonToken t, String who) throws IOException {
    String s = string(p, t, who + " 'datatype'");
    try {
      return DataType.parse(s);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(who + ": " + e.getMessage());
    }
  }

  private static List<RequestedOutput> requestedOutputs(JsonParser p, JsonToken t)
      throws IOException {
    expect(p, t, JsonToken.START_ARRAY, "'outputs'");
    List<RequestedOutput> out = new ArrayList<>();
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      expect(p, t, JsonToken.START_OBJECT, "'outputs[" + out.size() + "]'");
      String name = null;
      Map<String, Object> params = Map.of();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        switch (field) {
          case "name" -> name = string(p, v, "outputs[" + out.size() + "].name");
          case "parameters" -> params = parameters(p, v, "output parameters");
          default -> p.skipChildren();
        }
      }
      if (name == null) {
        throw new InvalidInputException("'outputs[" + out.size() + "]' has no 'name'");
      }
      out.add(new RequestedOutput(name, params));
    }
    return out;
  }

  /** Parameters: a flat object of strings, numbers and booleans (nested values kept as maps). */
  private static Map<String, Object> parameters(JsonParser p, JsonToken t, String who)
      throws IOException {
    expect(p, t, JsonToken.START_OBJECT, who);
    Map<String, Object> out = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      out.put(key, value(p, p.nextToken(), who + "." + key));
    }
    return out;
  }

  private static Object value(JsonParser p, JsonToken t, String who) throws IOException {
    return switch (t) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getNumberValue();
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      case START_OBJECT -> parameters(p, t, who);
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

  private static String string(JsonParser p, JsonToken t, String who) throws IOException {
    expect(p, t, JsonToken.VALUE_STRING, who);
    return p.getText();
  }

  private static void expect(JsonParser p, JsonToken got, JsonToken want, String who) {
    if (got != want) {
      throw new InvalidInputException(
          who + ": expected " + describe(want) + ", got " + describe(got) + at(p));
    }
  }

  private static void ensureEnd(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t != null) {
      throw new InvalidInputException("unexpected content after the JSON object" + at(p));
    }
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "end of input";
    }
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "an integer";
      case VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
    };
  }

  private static String at(JsonParser p) {
    JsonLocation l = p.currentTokenLocation();
    return " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")";
  }

  private static InvalidInputException malformed(IOException e) {
    if (e instanceof StreamConstraintsException) {
      return new InvalidInputException("request exceeds a JSON limit: " + e.getMessage(), e);
    }
    if (e instanceof JsonProcessingException jpe) {
      JsonLocation l = jpe.getLocation();
      String where = l == null ? "" : " at line " + l.getLineNr() + ", column " + l.getColumnNr();
      return new InvalidInputException(
          "malformed JSON" + where + ": " + jpe.getOriginalMessage(), e);
    }
    return new InvalidInputException("unreadable request body: " + e.getMessage(), e);
  }

  /** Writes JSON tensor data, flat or nested, into a typed little-endian buffer. */
  private static final class TensorBuilder {
    private final String name;
    private final DataType type;
    private final long[] shape;
    private final long expected;
    private ByteBuffer buf;
    private List<byte[]> strings;
    private long count;

    TensorBuilder(String name, DataType type, long[] shape, long elementBound) {
      this.name = name;
      this.type = type;
      this.shape = shape;
      this.expected = Shapes.elementCount(shape);
      if (type.isFixedSize()) {
        // Never trust the declared shape for an allocation: a JSON element takes at least 2 bytes.
        long cap = Math.min(expected, elementBound) * type.byteSize();
        buf =
            ByteBuffer.allocate((int) Math.min(cap, Integer.MAX_VALUE - 8))
                .order(ByteOrder.LITTLE_ENDIAN);
      } else {
        strings = new ArrayList<>((int) Math.min(expected, 1024));
      }
    }

    void read(JsonParser p, JsonToken t) throws IOException {
      if (t == JsonToken.START_ARRAY) {
        int depth = 1;
        while (depth > 0) {
          t = p.nextToken();
          if (t == JsonToken.START_ARRAY) {
            depth++;
          } else if (t == JsonToken.END_ARRAY) {
            depth--;
          } else if (t == null) {
            throw new InvalidInputException("input '" + name + "': data ends early");
          } else {
            element(p, t);
          }
        }
      } else {
        element(p, t); // a scalar for a rank-0 or single-element tensor
      }
    }

    private void element(JsonParser p, JsonToken t) throws IOException {
      if (++count > expected) {
        throw new InvalidInputException(
            "input '"
                + name
                + "': shape "
                + Shapes.format(shape)
                + " needs "
                + expected
                + " elements, data has more");
      }
      if (type == DataType.BYTES) {
        if (t != JsonToken.VALUE_STRING) {
          throw wrongType(t);
        }
        strings.add(p.getText().getBytes(StandardCharsets.UTF_8));
        return;
      }
      ensureRoom();
      switch (type) {
        case BOOL -> {
          if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw wrongType(t);
          }
          buf.put((byte) (t == JsonToken.VALUE_TRUE ? 1 : 0));
        }
        case FP32 -> {
          double v = number(p, t);
          float f = (float) v;
          if (Float.isInfinite(f)) {
            throw outOfRange(p);
          }
          buf.putFloat(f);
        }
        case FP64 -> buf.putDouble(number(p, t));
        case FP16 -> {
          float f = (float) number(p, t);
          if (Math.abs(f) > 65504f) {
            throw outOfRange(p);
          }
          buf.putShort(dev.kairos.sdk.tensor.Fp16.fromFloat(f));
        }
        case UINT64 -> {
          integerToken(t);
          if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            BigInteger b = p.getBigIntegerValue();
            if (b.signum() < 0 || b.compareTo(UINT64_MAX) > 0) {
              throw outOfRange(p);
            }
            buf.putLong(b.longValue());
          } else {
            long v = p.getLongValue();
            if (v < 0) {
              throw outOfRange(p);
            }
            buf.putLong(v);
          }
        }
        default -> {
          integerToken(t);
          if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw outOfRange(p);
          }
          long v = p.getLongValue();
          switch (type) {
            case INT8 -> buf.put((byte) range(p, v, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case UINT8 -> buf.put((byte) range(p, v, 0, 0xff));
            case INT16 -> buf.putShort((short) range(p, v, Short.MIN_VALUE, Short.MAX_VALUE));
            case UINT16 -> buf.putShort((short) range(p, v, 0, 0xffff));
            case INT32 -> buf.putInt((int) range(p, v, Integer.MIN_VALUE, Integer.MAX_VALUE));
            case UINT32 -> buf.putInt((int) range(p, v, 0, 0xffffffffL));
            case INT64 -> buf.putLong(v);
            default -> throw new IllegalStateException("unreachable: " + type);
          }
        }
      }
    }

    private void ensureRoom() {
      if (buf.remaining() < 8) {
        long grown = Math.min((long) buf.capacity() * 2 + 64, expected * type.byteSize());
        ByteBuffer b = ByteBuffer.allocate((int) grown).order(ByteOrder.LITTLE_ENDIAN);
        buf.flip();
        b.put(buf);
        buf = b;
      }
    }

    private double number(JsonParser p, JsonToken t) throws IOException {
      if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
        throw wrongType(t);
      }
      return p.getDoubleValue();
    }

    private void integerToken(JsonToken t) {
      if (t != JsonToken.VALUE_NUMBER_INT) {
        throw wrongType(t);
      }
    }

    private long range(JsonParser p, long v, long min, long max) throws IOException {
      if (v < min || v > max) {
        throw outOfRange(p);
      }
      return v;
    }

    private InvalidInputException wrongType(JsonToken t) {
      return new InvalidInputException(
          "input '"
              + name
              + "': element "
              + (count - 1)
              + " is "
              + describe(t)
              + ", expected "
              + (type == DataType.BYTES
                  ? "a string"
                  : type == DataType.BOOL
                      ? "a boolean"
                      : type.isFloatingPoint() ? "a number" : "an integer")
              + " for datatype "
              + type);
    }

    private InvalidInputException outOfRange(JsonParser p) throws IOException {
      return new InvalidInputException(
          "input '"
              + name
              + "': element "
              + (count - 1)
              + " value "
              + p.getText()
              + " is out of range for "
              + type);
    }

    Tensor build(Map<String, Object> params) {
      if (count != expected) {
        throw new InvalidInputException(
            "input '"
                + name
                + "': shape "
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
    private final int jsonLength;
    private int pos;

    Binary(byte[] body, int jsonLength) {
      this.body = body;
      this.jsonLength = jsonLength;
      this.pos = jsonLength;
    }

    Tensor take(
        String name, DataType type, long[] shape, Object sizeParam, Map<String, Object> params) {
      if (!(sizeParam instanceof Number n)
          || n.longValue() < 0
          || n.doubleValue() != n.longValue()) {
        throw new InvalidInputException(
            "input '" + name + "': " + BINARY_DATA_SIZE + " must be a non-negative integer");
      }
      long size = n.longValue();
      if (size > body.length - pos) {
        throw new InvalidInputException(
            "input '"
                + name
                + "': "
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
              "input '"
                  + name
                  + "': shape "
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
        if (b.remaining() < 4) {
          throw new InvalidInputException("input '" + name + "': truncated BYTES length prefix");
        }
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
          throw new InvalidInputException(
              "input '" + name + "': BYTES element of " + len + " bytes overruns its data");
        }
        byte[] e = new byte[len];
        b.get(e);
        elements.add(e);
      }
      if (elements.size() != expected) {
        throw new InvalidInputException(
            "input '"
                + name
                + "': shape "
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
            (body.length - pos) + " bytes of binary data are not claimed by any input");
      }
    }
  }
}
