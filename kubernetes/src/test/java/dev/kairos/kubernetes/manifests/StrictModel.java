package dev.kairos.kubernetes.manifests;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds fields a typed fabric8 object did not know: fabric8 models keep unknown fields in {@code
 * additionalProperties} instead of failing, so a misspelt {@code readinesProbe} would otherwise
 * pass silently.
 */
final class StrictModel {
  private StrictModel() {}

  /** Paths of every unknown field in the object graph, empty when there is none. */
  static List<String> unknownFields(Object root) {
    List<String> out = new ArrayList<>();
    walk(root, "", out, new IdentityHashMap<>());
    return out;
  }

  private static void walk(Object o, String path, List<String> out, Map<Object, Boolean> seen) {
    if (o == null || seen.put(o, true) != null) {
      return;
    }
    Class<?> c = o.getClass();
    if (o instanceof Collection<?> col) {
      int i = 0;
      for (Object e : col) {
        walk(e, path + "[" + i++ + "]", out, seen);
      }
      return;
    }
    if (o instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        walk(e.getValue(), path + "." + e.getKey(), out, seen);
      }
      return;
    }
    if (!c.getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method m : c.getMethods()) {
      if (m.getParameterCount() != 0
          || !m.getName().startsWith("get")
          || m.getName().equals("getClass")) {
        continue;
      }
      Object v;
      try {
        v = m.invoke(o);
      } catch (ReflectiveOperationException e) {
        continue;
      }
      if (m.getName().equals("getAdditionalProperties")) {
        if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
          for (Object key : extra.keySet()) {
            out.add(path + "." + key);
          }
        }
        continue;
      }
      String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
      walk(v, path + "." + field, out, seen);
    }
  }
}
