package dev.kairos.kubernetes.crd;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Names and labels of the objects the controller makes for a model version. */
public final class ModelLabels {
  public static final String MODEL = "kairos.dev/model";
  public static final String VERSION = "kairos.dev/version";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGER = "kairos-controller";
  public static final String RUNTIME = "runtime";

  private ModelLabels() {}

  /** Deployment and Service name of a version: {@code <model>-v<version>}, DNS-1123 safe. */
  public static String objectName(String model, String version) {
    return dnsLabel(model + "-v" + version);
  }

  /** The ConfigMap holding a model's rendered {@code model.yaml}. */
  public static String configName(String model) {
    return dnsLabel(model + "-model-config");
  }

  /** Labels that select the runtime pods of one version. */
  public static Map<String, String> selector(String model, String version) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(MODEL, model);
    m.put(VERSION, version);
    m.put(COMPONENT, RUNTIME);
    return m;
  }

  /** Labels of every object the controller owns for a version. */
  public static Map<String, String> labels(String model, String version) {
    Map<String, String> m = selector(model, version);
    m.put(MANAGED_BY, MANAGER);
    m.put("app.kubernetes.io/name", "kairos-runtime");
    return m;
  }

  static String dnsLabel(String s) {
    String out = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+", "");
    if (out.length() > 63) {
      out = out.substring(0, 63);
    }
    return out.replaceAll("-+$", "");
  }
}
