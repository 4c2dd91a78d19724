package dev.kairos.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sets {@code scaling:} (or {@code batching:}) knobs or the {@code traffic:} split in the text of a
 * {@code model.yaml}, touching only the lines it changes: comments, field order and every other
 * field stay as written. Understands the two ways the examples and the docs write the section (a
 * one-line flow map {@code scaling: {a: 1}}, or an indented block); anything else is rewritten
 * through a YAML tree, which keeps the values but not the comments.
 */
final class ModelYamlEditor {
  private static final Pattern TRAFFIC = Pattern.compile("^[\"']?traffic[\"']?\\s*:(.*)$");
  private static final Pattern TOP_LEVEL = Pattern.compile("^[^\\s#].*$");
  private static final Pattern ENTRY =
      Pattern.compile("^(\\s+)([\"']?)([A-Za-z]+)\\2(\\s*:\\s*)(.*?)(\\s+#.*)?$");

  /** What {@link #onlyLine} answers when the key is there more than once. */
  private static final int SEVERAL = -2;

  private ModelYamlEditor() {}

  /** The text with each knob of {@code knobs} set (added where missing). */
  static String withScaling(String yaml, Map<String, Object> knobs) {
    return withSection(yaml, "scaling", knobs);
  }

  /** The text with each knob of {@code knobs} set in the top-level mapping {@code section}. */
  static String withSection(String yaml, String section, Map<String, Object> knobs) {
    Pattern header = Pattern.compile("^" + Pattern.quote(section) + "\\s*:(.*)$");
    String edited = editText(yaml, section, header, knobs);
    return edited != null ? edited : rewriteTree(yaml, section, knobs);
  }

  /**
   * The text with its {@code traffic:} section replaced by {@code weights} (version → weight),
   * written as one flow map, {@code traffic: {"1": 90, "2": 10}}; an empty map writes {@code
   * traffic: {}} (everything to the highest version).
   */
  static String withTraffic(String yaml, Map<String, Integer> weights) {
    String edited = editTraffic(yaml, weights);
    return edited != null ? edited : rewriteTraffic(yaml, weights);
  }

  private static String editTraffic(String yaml, Map<String, Integer> weights) {
    List<String> lines = editableLines(yaml);
    int at = lines == null ? SEVERAL : onlyLine(lines, TRAFFIC);
    if (at == SEVERAL) {
      return null;
    }
    boolean endsWithNewline = yaml.isEmpty() || yaml.endsWith("\n");
    List<String> parts = new ArrayList<>();
    weights.forEach((v, w) -> parts.add("\"" + v + "\": " + w));
    String line = "traffic: {" + String.join(", ", parts) + "}";
    if (at < 0) {
      lines.add(line);
    } else {
      Matcher m = TRAFFIC.matcher(lines.get(at));
      m.matches();
      String rest = m.group(1);
      // the key line's comment stays; a block's own lines (and their comments) go with it
      int hash = rest.indexOf(" #");
      String comment = hash >= 0 ? rest.substring(hash) : "";
      if (rest.trim().startsWith("{") && !rest.contains("}")) {
        return null; // a flow map over several lines
      }
      int end = at + 1;
      while (end < lines.size() && continues(lines, end)) {
        end++;
      }
      lines.subList(at, end).clear();
      lines.add(at, line + comment);
    }
    return String.join("\n", lines) + (endsWithNewline ? "\n" : "");
  }

  /**
   * The text's lines (without the empty one after a final newline), or null where editing the text
   * is not safe: tabs, several documents, anchors or aliases.
   */
  private static List<String> editableLines(String yaml) {
    if (yaml.contains("\t") || yaml.contains("\n---") || yaml.contains("&") || yaml.contains("*")) {
      return null;
    }
    List<String> lines = new ArrayList<>(List.of(yaml.split("\n", -1)));
    if ((yaml.isEmpty() || yaml.endsWith("\n")) && !lines.isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    return lines;
  }

  /**
   * The index of the one line matching {@code key}: -1 where none does, {@link #SEVERAL} where more
   * do.
   */
  private static int onlyLine(List<String> lines, Pattern key) {
    int at = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (key.matcher(lines.get(i)).matches()) {
        if (at >= 0) {
          return SEVERAL;
        }
        at = i;
      }
    }
    return at;
  }

  /** Whether line {@code i} still belongs to the block above it (indented, or blank before one). */
  private static boolean continues(List<String> lines, int i) {
    for (int j = i; j < lines.size(); j++) {
      String l = lines.get(j);
      if (!l.isBlank()) {
        return Character.isWhitespace(l.charAt(0));
      }
    }
    return false;
  }

  private static String rewriteTraffic(String yaml, Map<String, Integer> weights) {
    ObjectMapper mapper = treeMapper();
    try {
      JsonNode root = yaml.isBlank() ? mapper.createObjectNode() : mapper.readTree(yaml);
      if (!(root instanceof ObjectNode top)) {
        throw new IllegalArgumentException("model.yaml is not a mapping");
      }
      ObjectNode traffic = top.putObject("traffic");
      weights.forEach(traffic::put);
      return mapper.writeValueAsString(top);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectMapper treeMapper() {
    return new ObjectMapper(
        YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build());
  }

  /** Renders a knob value as a plain YAML scalar ({@code 8}, {@code 0.5}, {@code 60s}). */
  static String scalar(Object v) {
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        return Long.toString((long) d);
      }
      return Double.toString(d);
    }
    return String.valueOf(v);
  }

  private static String editText(
      String yaml, String section, Pattern header, Map<String, Object> knobs) {
    List<String> lines = editableLines(yaml);
    int at = lines == null ? SEVERAL : onlyLine(lines, header);
    if (at == SEVERAL) {
      return null;
    }
    boolean endsWithNewline = yaml.isEmpty() || yaml.endsWith("\n");
    if (at < 0) {
      lines.add(section + ": " + flow(new LinkedHashMap<>(), knobs));
    } else {
      Matcher m = header.matcher(lines.get(at));
      m.matches();
      String rest = m.group(1);
      String comment = "";
      int hash = rest.indexOf(" #");
      if (hash >= 0) {
        comment = rest.substring(hash);
        rest = rest.substring(0, hash);
      }
      rest = rest.trim();
      if (rest.startsWith("{") && rest.endsWith("}")) {
        Map<String, String> entries = parseFlow(rest.substring(1, rest.length() - 1));
        if (entries == null) {
          return null;
        }
        lines.set(at, section + ": " + flow(entries, knobs) + comment);
      } else if (rest.isEmpty()) {
        if (!editBlock(lines, at, knobs)) {
          return null;
        }
      } else {
        return null;
      }
    }
    return String.join("\n", lines) + (endsWithNewline ? "\n" : "");
  }

  private static String flow(Map<String, String> entries, Map<String, Object> knobs) {
    knobs.forEach((k, v) -> entries.put(k, scalar(v)));
    List<String> parts = new ArrayList<>();
    entries.forEach((k, v) -> parts.add(k + ": " + v));
    return "{" + String.join(", ", parts) + "}";
  }

  /** The entries of a one-line flow map of plain scalars, or null for anything fancier. */
  private static Map<String, String> parseFlow(String body) {
    Map<String, String> out = new LinkedHashMap<>();
    if (body.isBlank()) {
      return out;
    }
    if (body.matches(".*[\\[\\]{}\"'].*")) {
      return null;
    }
    for (String part : body.split(",")) {
      int colon = part.indexOf(':');
      if (colon <= 0) {
        return null;
      }
      out.put(part.substring(0, colon).trim(), part.substring(colon + 1).trim());
    }
    return out;
  }

  private static boolean editBlock(List<String> lines, int at, Map<String, Object> knobs) {
    int end = at + 1;
    String indent = null;
    Map<String, Integer> found = new LinkedHashMap<>();
    int lastEntry = at;
    while (end < lines.size() && !TOP_LEVEL.matcher(lines.get(end)).matches()) {
      String line = lines.get(end);
      if (!line.isBlank() && !line.trim().startsWith("#")) {
        Matcher m = ENTRY.matcher(line);
        if (!m.matches() || m.group(5).isEmpty()) {
          return false;
        }
        if (indent == null) {
          indent = m.group(1);
        } else if (!indent.equals(m.group(1))) {
          return false;
        }
        found.put(m.group(3), end);
        lastEntry = end;
      }
      end++;
    }
    if (indent == null) {
      indent = "  ";
    }
    int insertAt = lastEntry + 1;
    for (Map.Entry<String, Object> k : knobs.entrySet()) {
      Integer line = found.get(k.getKey());
      if (line != null) {
        Matcher m = ENTRY.matcher(lines.get(line));
        m.matches();
        String comment = m.group(6) == null ? "" : m.group(6);
        lines.set(
            line,
            m.group(1)
                + m.group(2)
                + m.group(3)
                + m.group(2)
                + m.group(4)
                + scalar(k.getValue())
                + comment);
      } else {
        lines.add(insertAt++, indent + k.getKey() + ": " + scalar(k.getValue()));
      }
    }
    return true;
  }

  private static String rewriteTree(String yaml, String section, Map<String, Object> knobs) {
    ObjectMapper mapper = treeMapper();
    try {
      JsonNode root = yaml.isBlank() ? mapper.createObjectNode() : mapper.readTree(yaml);
      if (!(root instanceof ObjectNode top)) {
        throw new IllegalArgumentException("model.yaml is not a mapping");
      }
      JsonNode existing = top.get(section);
      ObjectNode target = existing instanceof ObjectNode o ? o : top.putObject(section);
      knobs.forEach((k, v) -> target.put(k, scalar(v)));
      return mapper.writeValueAsString(top);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
