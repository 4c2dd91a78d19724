package dev.kairos.runtime.engine.java;

import dev.kairos.runtime.engine.Engine;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelLoadException;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.model.ModelSignature;
import dev.kairos.sdk.predictor.ModelContext;
import dev.kairos.sdk.predictor.Predictor;
import dev.kairos.sdk.predictor.PredictorClasses;
import dev.kairos.sdk.predictor.PredictorLoadException;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * Models written in Java: a jar in the version folder holding a {@link Predictor}, named by {@code
 * options: {class: ...}} in {@code model.yaml} or by the jar's {@code
 * META-INF/services/dev.kairos.sdk.predictor.Predictor}. Each version gets its own class loader, so
 * versions and models never see each other's classes. The signature comes from {@code model.yaml}.
 */
public final class JavaPredictorEngine implements Engine {
  @Override
  public String name() {
    return "java";
  }

  @Override
  public LoadedModel load(ModelSource source) {
    String model = source.modelName();
    ModelSignature signature = source.config().declaredSignature();
    if (signature == null) {
      throw new ModelLoadException(
          "model '"
              + model
              + "': engine java needs the signature in model.yaml (inputs: and outputs:)");
    }
    URLClassLoader loader = classLoader(source.artifact(), model);
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    Thread.currentThread().setContextClassLoader(loader);
    try {
      Predictor predictor;
      try {
        predictor = PredictorClasses.instantiate(model, source.config().options(), loader);
      } catch (PredictorLoadException e) {
        throw new ModelLoadException(e.getMessage() + " (jar " + source.artifact() + ")", e);
      }
      predictor.load(context(source));
      return new JavaPredictorModel(model, predictor, loader, signature, source.config());
    } catch (ModelLoadException e) {
      closeQuietly(loader);
      throw e;
    } catch (Exception | LinkageError e) {
      closeQuietly(loader);
      throw new ModelLoadException(
          "model '"
              + model
              + "': the predictor failed to load: "
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage(),
          e);
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
  }

  private static URLClassLoader classLoader(Path jar, String model) {
    try {
      URL url = jar.toUri().toURL();
      return new URLClassLoader(
          "predictor-" + model, new URL[] {url}, Predictor.class.getClassLoader());
    } catch (MalformedURLException e) {
      throw new ModelLoadException("model '" + model + "': bad jar path " + jar, e);
    }
  }

  private static ModelContext context(ModelSource source) {
    Path versionDir = source.artifact().getParent();
    ModelConfig config = source.config();
    return new ModelContext() {
      @Override
      public String modelName() {
        return config.name();
      }

      @Override
      public String version() {
        return source.version();
      }

      @Override
      public Path versionDir() {
        return versionDir;
      }

      @Override
      public ModelConfig config() {
        return config;
      }
    };
  }

  static void closeQuietly(URLClassLoader loader) {
    try {
      loader.close();
    } catch (IOException ignored) {
      // the jar stays open until the JVM exits; nothing else to do
    }
  }
}
