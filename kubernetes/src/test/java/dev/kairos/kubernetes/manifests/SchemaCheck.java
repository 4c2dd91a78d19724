package dev.kairos.kubernetes.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks a document against a CRD's structural schema the way the API server does for the parts
 * Kairos uses: types, unknown fields, required fields, enums, patterns, integer bounds.
 */
final class SchemaCheck {
  private SchemaCheck() {}

  static List<String> errors(JsonNode value, JSONSchemaProps schema) {
    List<String> out = new ArrayList<>();
    check(value, schema, "", out);
    return out;
  }

  private static void check(JsonNode v, JSONSchemaProps s, String path, List<String> out) {
    if (Boolean.TRUE.equals(s.getXKubernetesIntOrString())) {
      if (!v.isIntegralNumber() && !v.isTextual()) {
        out.add(path + ": must be an integer or a string, got " + v);
      }
      return;
    }
    String type = s.getType();
    if (type == null) {
      return;
    }
    switch (type) {
      case "object" -> {
        if (!v.isObject()) {
          out.add(path + ": must be an object, got " + v);
          return;
        }
        Map<String, JSONSchemaProps> props = s.getProperties();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> f = it.next();
          String p = path + "." + f.getKey();
          if (props != null && props.containsKey(f.getKey())) {
            check(f.getValue(), props.get(f.getKey()), p, out);
          } else if (s.getAdditionalProperties() != null
              && s.getAdditionalProperties().getSchema() != null) {
            check(f.getValue(), s.getAdditionalProperties().getSchema(), p, out);
          } else if (!Boolean.TRUE.equals(s.getXKubernetesPreserveUnknownFields())) {
            out.add(p + ": unknown field");
          }
        }
        if (s.getRequired() != null) {
          for (String r : s.getRequired()) {
            if (!v.has(r)) {
              out.add(path + "." + r + ": required");
            }
          }
        }
      }
      case "array" -> {
        if (!v.isArray()) {
          out.add(path + ": must be an array, got " + v);
          return;
        }
        for (int i = 0; i < v.size(); i++) {
          check(v.get(i), s.getItems().getSchema(), path + "[" + i + "]", out);
        }
      }
      case "string" -> {
        if (!v.isTextual()) {
          out.add(path + ": must be a string, got " + v);
        } else if (s.getPattern() != null && !v.asText().matches(s.getPattern())) {
          out.add(path + ": '" + v.asText() + "' does not match " + s.getPattern());
        }
      }
      case "integer" -> {
        if (!v.isIntegralNumber()) {
          out.add(path + ": must be an integer, got " + v);
        } else {
          bounds(v, s, path, out);
        }
      }
      case "number" -> {
        if (!v.isNumber()) {
          out.add(path + ": must be a number, got " + v);
        } else {
          bounds(v, s, path, out);
        }
      }
      case "boolean" -> {
        if (!v.isBoolean()) {
          out.add(path + ": must be a boolean, got " + v);
        }
      }
      default -> out.add(path + ": schema type " + type + " is not checked here");
    }
    if (s.getEnum() != null && !s.getEnum().isEmpty()) {
      boolean match = s.getEnum().stream().anyMatch(e -> e.toString().equals(v.toString()));
      if (!match) {
        out.add(path + ": " + v + " is not one of " + s.getEnum());
      }
    }
  }

  private static void bounds(JsonNode v, JSONSchemaProps s, String path, List<String> out) {
    if (s.getMinimum() != null && v.asDouble() < s.getMinimum()) {
      out.add(path + ": " + v + " is below the minimum " + s.getMinimum());
    }
    if (s.getMaximum() != null && v.asDouble() > s.getMaximum()) {
      out.add(path + ": " + v + " is above the maximum " + s.getMaximum());
    }
  }
}
