package dev.kairos.sdk.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kairos.sdk.oip.OipPath;
import dev.kairos.sdk.tensor.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code model.yaml}. Unknown fields, wrong types and out-of-range values are errors that
 * name the file, the field and the rule; nothing is silently ignored.
 */
public final class ModelConfigParser {
  /** Engines the platform knows; the runtime decides which of them are available. */
  public static final Set<String> ENGINES = Set.of("onnxruntime", "pytorch", "tensorrt", "java");

  private static final YAMLMapper YAML = new YAMLMapper();

  private ModelConfigParser() {}

  /** Parses a {@code model.yaml} file; {@code defaultName} is the model directory's name. */
  public static ModelConfig parse(Path file, String defaultName) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ModelConfigException(file, null, "cannot be read: " + e.getMessage());
    }
    return parse(text, file, defaultName);
  }

  /** Parses YAML text; {@code file} is only used in messages. */
  public static ModelConfig parse(String yaml, Path file, String defaultName) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw new ModelConfigException(
          file, null, "is not valid YAML" + where + ": " + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return ModelConfig.defaults(defaultName, null);
    }
    Obj top = new Obj(file, "", root);
    top.allow(
        "name",
        "engine",
        "inputs",
        "outputs",
        "batching",
        "device",
        "scaling",
        "traffic",
        "options",
        "task",
        "tokenizer",
        "generation",
        "isolation");
    String name = top.string("name", defaultName);
    if (!OipPath.isValidName(name)) {
      throw new ModelConfigException(
          file, "name", "= '" + name + "', must be letters, digits, '_', '.' or '-'");
    }
    String engine = top.string("engine", null);
    if (engine != null && !ENGINES.contains(engine)) {
      throw new ModelConfigException(
          file, "engine", "= '" + engine + "', must be one of " + new java.util.TreeSet<>(ENGINES));
    }
    Isolation isolation = isolation(top);
    return new ModelConfig(
        name,
        engine,
        top.specs("inputs"),
        top.specs("outputs"),
        batching(top.child("batching")),
        device(top.child("device")),
        scaling(top.child("scaling")),
        traffic(top.child("traffic")),
        options(top.child("options")),
        isolation,
        generation(top));
  }

  private static Isolation isolation(Obj top) {
    String v = top.string("isolation", null);
    if (v == null) {
      return Isolation.PLACEMENT;
    }
    Isolation isolation =
        switch (v) {
          case "process" -> Isolation.PROCESS;
          case "shared" -> Isolation.SHARED;
          default ->
              throw top.error("isolation", "= '" + v + "', must be one of [process, shared]");
        };
    // With no engine named, the repository checks the rule once it has inferred the engine.
    String problem = isolation.problemWith(top.string("engine", null));
    if (problem != null) {
      throw top.error("isolation", problem);
    }
    return isolation;
  }

  private static GenerationConfig generation(Obj top) {
    String task = top.string("task", null);
    if (task != null && !task.equals("text-generation")) {
      throw top.error(
          "task", "= '" + task + "', must be text-generation (or absent for a tensor model)");
    }
    if (task == null) {
      for (String field : List.of("tokenizer", "generation")) {
        if (top.node.has(field)) {
          throw top.error(field, "is set, but only a model with task: text-generation has one");
        }
      }
      return null;
    }
    GenerationConfig d = GenerationConfig.DEFAULT;
    String tokenizer = top.string("tokenizer", d.tokenizer());
    Obj o = top.child("generation");
    if (o != null) {
      o.allow(
          "contextLength",
          "blockSize",
          "kvCacheMemory",
          "maxRunning",
          "maxWaiting",
          "prefillChunk",
          "chatTemplate");
    }
    int any = Integer.MIN_VALUE;
    int all = Integer.MAX_VALUE;
    // Types are checked here, ranges by GenerationConfig itself.
    try {
      return o == null
          ? new GenerationConfig(
              tokenizer,
              d.contextLength(),
              d.blockSize(),
              d.kvCacheBytes(),
              d.maxRunning(),
              d.maxWaiting(),
              d.prefillChunk(),
              d.chatTemplate())
          : new GenerationConfig(
              tokenizer,
              o.integer("contextLength", d.contextLength(), any, all),
              o.integer("blockSize", d.blockSize(), any, all),
              o.bytes("kvCacheMemory", d.kvCacheBytes()),
              o.integer("maxRunning", d.maxRunning(), any, all),
              o.integer("maxWaiting", d.maxWaiting(), any, all),
              o.integer("prefillChunk", d.prefillChunk(), any, all),
              o.string("chatTemplate", d.chatTemplate()));
    } catch (InvalidKnobException e) {
      if (o == null || e.knob().equals("tokenizer")) {
        throw top.error(e.knob(), e.problem());
      }
      throw o.error(e.knob(), e.problem());
    }
  }

  private static BatchingConfig batching(Obj o) {
    if (o == null) {
      return BatchingConfig.DEFAULT;
    }
    o.allow("maxBatchSize", "maxQueueDelay", "maxQueueSize", "preferredBatchSizes");
    BatchingConfig d = BatchingConfig.DEFAULT;
    // Types are checked here, ranges by BatchingConfig itself: one set of rules for every source.
    int max = o.integer("maxBatchSize", d.maxBatchSize(), Integer.MIN_VALUE, Integer.MAX_VALUE);
    List<Integer> preferred =
        o.intList("preferredBatchSizes", Integer.MIN_VALUE, Integer.MAX_VALUE);
    Duration delay = o.duration("maxQueueDelay", d.maxQueueDelay());
    int queue = o.integer("maxQueueSize", d.maxQueueSize(), Integer.MIN_VALUE, Integer.MAX_VALUE);
    try {
      return new BatchingConfig(max, delay, queue, preferred);
    } catch (InvalidKnobException e) {
      throw o.error(e.knob(), e.problem());
    }
  }

  private static DeviceConfig device(Obj o) {
    if (o == null) {
      return DeviceConfig.DEFAULT;
    }
    o.allow("kind", "memory", "class", "threads", "shared");
    DeviceConfig d = DeviceConfig.DEFAULT;
    try {
      return new DeviceConfig(
          o.string("kind", d.kind()),
          o.bytes("memory", d.memoryBytes()),
          o.string("class", d.workloadClass()),
          o.integer("threads", d.threads(), Integer.MIN_VALUE, Integer.MAX_VALUE),
          o.string("shared", d.shared()));
    } catch (InvalidKnobException e) {
      throw o.error(e.knob(), e.problem());
    }
  }

  private static ScalingConfig scaling(Obj o) {
    if (o == null) {
      return ScalingConfig.DEFAULT;
    }
    o.allow(ScalingKnobs.NAMES.toArray(String[]::new));
    Map<String, Object> values = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = o.node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode n = e.getValue();
      if (n.isNull()) {
        continue;
      }
      if (!n.isValueNode()) {
        throw o.error(e.getKey(), "must be a plain value, got " + Obj.kind(n));
      }
      values.put(e.getKey(), n.isNumber() ? n.numberValue() : n.asText());
    }
    // A model.yaml that raises minReplicas past the default maximum means "at least that many".
    if (values.containsKey("minReplicas") && !values.containsKey("maxReplicas")) {
      Object min = values.get("minReplicas");
      if (min instanceof Integer m && m > ScalingConfig.DEFAULT.maxReplicas()) {
        values.put("maxReplicas", m);
      }
    }
    try {
      return ScalingKnobs.apply(ScalingConfig.DEFAULT, values);
    } catch (InvalidKnobException e) {
      throw o.error(e.knob(), e.problem());
    }
  }

  private static Map<String, Integer> traffic(Obj o) {
    if (o == null) {
      return Map.of();
    }
    Map<String, Integer> out = new LinkedHashMap<>();
    int total = 0;
    for (Iterator<String> it = o.node.fieldNames(); it.hasNext(); ) {
      String version = it.next();
      if (!version.matches("\\d+")) {
        throw o.error(version, "is not a version number");
      }
      int w = o.integer(version, 0, 0, 100);
      out.put(version, w);
      total += w;
    }
    if (!out.isEmpty() && total != 100) {
      throw o.error("", "weights add up to " + total + ", must add up to 100");
    }
    return out;
  }

  private static Map<String, String> options(Obj o) {
    if (o == null) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = o.node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isValueNode()) {
        throw o.error(e.getKey(), "must be a plain value");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  /** A YAML mapping with the dotted path that leads to it, for messages. */
  private static final class Obj {
    final Path file;
    final String path;
    final JsonNode node;

    Obj(Path file, String path, JsonNode node) {
      this.file = file;
      this.path = path;
      if (!(node instanceof ObjectNode)) {
        throw new ModelConfigException(
            file, path.isEmpty() ? null : path, "must be a mapping, got " + kind(node));
      }
      this.node = node;
    }

    String at(String key) {
      return path.isEmpty() ? key : key.isEmpty() ? path : path + "." + key;
    }

    ModelConfigException error(String key, String problem) {
      return new ModelConfigException(file, at(key), problem);
    }

    void allow(String... keys) {
      Set<String> allowed = Set.of(keys);
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!allowed.contains(k)) {
          throw error(k, "is not a known field; expected one of " + List.of(keys));
        }
      }
    }

    Obj child(String key) {
      JsonNode n = node.get(key);
      return n == null || n.isNull() ? null : new Obj(file, at(key), n);
    }

    String string(String key, String dflt) {
      JsonNode n = node.get(key);
      if (n == null || n.isNull()) {
        return dflt;
      }
      if (!n.isTextual()) {
        throw error(key, "must be a string, got " + kind(n));
      }
      return n.asText();
    }

    int integer(String key, int dflt, int min, int max) {
      JsonNode n = node.get(key);
      if (n == null || n.isNull()) {
        return dflt;
      }
      if (!n.canConvertToInt() || !n.isIntegralNumber()) {
        throw error(key, "must be an integer, got " + kind(n));
      }
      int v = n.asInt();
      if (v < min || v > max) {
        throw error(key, "= " + v + ", must be between " + min + " and " + max);
      }
      return v;
    }

    double number(String key, double dflt, double min, double max) {
      JsonNode n = node.get(key);
      if (n == null || n.isNull()) {
        return dflt;
      }
      if (!n.isNumber()) {
        throw error(key, "must be a number, got " + kind(n));
      }
      double v = n.asDouble();
      if (!(v >= min && v <= max)) {
        throw error(key, "= " + v + ", must be between " + min + " and " + max);
      }
      return v;
    }

    Duration duration(String key, Duration dflt) {
      JsonNode n = node.get(key);
      if (n == null || n.isNull()) {
        return dflt;
      }
      try {
        return Durations.parse(n.asText());
      } catch (IllegalArgumentException e) {
        throw error(key, e.getMessage());
      }
    }

    long bytes(String key, long dflt) {
      JsonNode n = node.get(key);
      if (n == null || n.isNull()) {
        return dflt;
      }
      if (n.isIntegralNumber() && n.asLong() >= 0) {
        return n.asLong();
      }
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("(\\d+)(Ki|Mi|Gi)?").matcher(n.asText().trim());
      if (!m.matches()) {
        throw error(key, "= '" + n.asText() + "', expected a size such as 600Mi or 2Gi");
      }
      String unit = m.group(2);
      int shift = unit == null ? 0 : unit.equals("Ki") ? 10 : unit.equals("Mi") ? 20 : 30;
      // 19 digits or fewer parse; anything that would not fit a long after the unit is refused.
      if (m.group(1).length() > 18 || Long.parseLong(m.group(1)) > Long.MAX_VALUE >> shift) {
        throw error(key, "= '" + n.asText() + "' is too large");
      }
      return Long.parseLong(m.group(1)) << shift;
    }

    List<Integer> intList(String key, int min, int max) {
      JsonNode n = node.get(key);
      if (n == null || n.isNull()) {
        return List.of();
      }
      if (!n.isArray()) {
        throw error(key, "must be a list of integers, got " + kind(n));
      }
      List<Integer> out = new ArrayList<>();
      for (JsonNode e : n) {
        if (!e.isIntegralNumber() || e.asInt() < min || e.asInt() > max) {
          throw error(
              key, "holds " + e + ", each must be an integer between " + min + " and " + max);
        }
        out.add(e.asInt());
      }
      return out;
    }

    List<TensorSpec> specs(String key) {
      JsonNode n = node.get(key);
      if (n == null || n.isNull()) {
        return List.of();
      }
      if (!n.isArray()) {
        throw error(key, "must be a list of {name, datatype, shape}, got " + kind(n));
      }
      List<TensorSpec> out = new ArrayList<>();
      for (int i = 0; i < n.size(); i++) {
        Obj s = new Obj(file, at(key) + "[" + i + "]", n.get(i));
        s.allow("name", "datatype", "shape");
        String name = s.string("name", null);
        if (name == null || name.isEmpty()) {
          throw s.error("name", "is required");
        }
        String dt = s.string("datatype", null);
        if (dt == null) {
          throw s.error("datatype", "is required");
        }
        DataType type;
        try {
          type = DataType.parse(dt);
        } catch (IllegalArgumentException e) {
          throw s.error("datatype", e.getMessage());
        }
        JsonNode shape = s.node.get("shape");
        if (shape == null || !shape.isArray()) {
          throw s.error("shape", "must be a list of integers (-1 for a dynamic axis)");
        }
        long[] dims = new long[shape.size()];
        for (int d = 0; d < dims.length; d++) {
          JsonNode e = shape.get(d);
          if (!e.isIntegralNumber() || e.asLong() < -1) {
            throw s.error("shape", "holds " + e + ", each must be an integer >= -1");
          }
          dims[d] = e.asLong();
        }
        out.add(new TensorSpec(name, type, dims));
      }
      return out;
    }

    static String kind(JsonNode n) {
      if (n == null) {
        return "nothing";
      }
      return switch (n.getNodeType()) {
        case STRING -> "'" + n.asText() + "'";
        case NUMBER, BOOLEAN -> n.asText();
        case ARRAY -> "a list";
        case OBJECT -> "a mapping";
        default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
      };
    }
  }
}
