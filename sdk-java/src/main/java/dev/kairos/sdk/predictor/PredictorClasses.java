package dev.kairos.sdk.predictor;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Finds and constructs a model's {@link Predictor} the way the runtime's {@code java} engine does:
 * the class named by {@code model.yaml}'s {@code options: {class: ...}}, else the one class listed
 * in {@code META-INF/services/dev.kairos.sdk.predictor.Predictor}.
 */
public final class PredictorClasses {
  /** The {@code model.yaml} option naming the predictor class. */
  public static final String CLASS_OPTION = "class";

  private PredictorClasses() {}

  /**
   * A new instance of the model's predictor class.
   *
   * @param model the model name, for messages
   * @param options {@code model.yaml}'s options
   * @param loader where the class is looked for
   * @throws PredictorLoadException naming the class and what is wrong with it
   */
  public static Predictor instantiate(
      String model, Map<String, String> options, ClassLoader loader) {
    String name = options.get(CLASS_OPTION);
    if (name != null && !name.isBlank()) {
      return construct(model, name.trim(), loader);
    }
    List<String> found = new ArrayList<>();
    for (ServiceLoader.Provider<Predictor> p :
        ServiceLoader.load(Predictor.class, loader).stream().toList()) {
      found.add(p.type().getName());
    }
    if (found.size() != 1) {
      throw new PredictorLoadException(
          "model '"
              + model
              + "': "
              + (found.isEmpty() ? "no predictor class" : "several predictor classes " + found)
              + " found; name one in model.yaml (options: {class: com.example.MyPredictor}) or list"
              + " exactly one in META-INF/services/"
              + Predictor.class.getName(),
          null);
    }
    return construct(model, found.get(0), loader);
  }

  private static Predictor construct(String model, String className, ClassLoader loader) {
    Class<?> c;
    try {
      c = Class.forName(className, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new PredictorLoadException(
          "model '" + model + "': predictor class '" + className + "' not found (" + e + ")", e);
    }
    if (!Predictor.class.isAssignableFrom(c)) {
      throw new PredictorLoadException(
          "model '"
              + model
              + "': class '"
              + className
              + "' does not implement "
              + Predictor.class.getName(),
          null);
    }
    if (Modifier.isAbstract(c.getModifiers()) || !Modifier.isPublic(c.getModifiers())) {
      throw new PredictorLoadException(
          "model '" + model + "': predictor class '" + className + "' must be public and concrete",
          null);
    }
    try {
      Constructor<?> ctor = c.getConstructor();
      return (Predictor) ctor.newInstance();
    } catch (NoSuchMethodException e) {
      throw new PredictorLoadException(
          "model '"
              + model
              + "': predictor class '"
              + className
              + "' needs a public no-argument constructor",
          e);
    } catch (ReflectiveOperationException | LinkageError e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new PredictorLoadException(
          "model '" + model + "': constructing '" + className + "' failed: " + cause, cause);
    }
  }
}
