package dev.kairos.gateway.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kairos.sdk.oip.InvalidInputException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Nested JSON arrays ⇄ OIP tensors (shape + flat data); shared by the translations. */
final class TensorJson {
  private final ObjectMapper mapper;

  TensorJson(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  JsonNode parse(byte[] body) {
    try {
      return mapper.readTree(body);
    } catch (IOException e) {
      throw new InvalidInputException("request body is not valid JSON: " + e.getMessage());
    }
  }

  /** One OIP input from a nested array, shape read from the nesting (rectangular only). */
  ObjectNode input(String name, String datatype, List<Long> shapePrefix, JsonNode nested) {
    List<Long> shape = new ArrayList<>(shapePrefix);
    JsonNode n = nested;
    while (n.isArray()) {
      shape.add((long) n.size());
      if (n.isEmpty()) {
        break;
      }
      n = n.get(0);
    }
    ArrayNode data = mapper.createArrayNode();
    flatten(name, nested, shape, shapePrefix.size(), data);
    ObjectNode in = mapper.createObjectNode();
    in.put("name", name);
    in.put("datatype", datatype);
    ArrayNode s = in.putArray("shape");
    shape.forEach(s::add);
    in.set("data", data);
    return in;
  }

  private static void flatten(String name, JsonNode n, List<Long> shape, int depth, ArrayNode out) {
    if (depth == shape.size()) {
      if (n.isArray() || n.isObject()) {
        throw new InvalidInputException("input '" + name + "' is not a rectangular array");
      }
      out.add(n);
      return;
    }
    if (!n.isArray() || n.size() != shape.get(depth)) {
      throw new InvalidInputException(
          "input '"
              + name
              + "' is not a rectangular array: expected "
              + shape.get(depth)
              + " elements at depth "
              + depth);
    }
    for (JsonNode c : n) {
      flatten(name, c, shape, depth + 1, out);
    }
  }

  /** An OIP output as nested arrays by its shape; {@code skipFirst} drops the batch dimension. */
  static JsonNode nest(ObjectMapper mapper, JsonNode data, long[] shape, int from, int[] pos) {
    if (from == shape.length) {
      return data.get(pos[0]++);
    }
    ArrayNode a = mapper.createArrayNode();
    for (long i = 0; i < shape[from]; i++) {
      a.add(nest(mapper, data, shape, from + 1, pos));
    }
    return a;
  }

  static long[] shape(JsonNode output) {
    JsonNode s = output.get("shape");
    long[] shape = new long[s.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = s.get(i).asLong();
    }
    return shape;
  }

  JsonNode outputs(byte[] oipResponse) {
    try {
      JsonNode r = mapper.readTree(oipResponse);
      JsonNode outs = r.get("outputs");
      if (outs == null || !outs.isArray()) {
        throw new IllegalStateException("replica answered without outputs");
      }
      return outs;
    } catch (IOException e) {
      throw new IllegalStateException("replica answered malformed JSON: " + e.getMessage(), e);
    }
  }

  byte[] write(JsonNode n) {
    try {
      return mapper.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode o) {
    return () -> {
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      return it;
    };
  }
}
