package dev.kairos.runtime.engine.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import dev.kairos.generative.ort.OnnxEnvironment;
import dev.kairos.runtime.engine.DeviceMemoryCap;
import dev.kairos.runtime.engine.Engine;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.runtime.engine.ModelLoadException;
import dev.kairos.runtime.engine.ModelSource;
import dev.kairos.sdk.model.ModelSignature;
import dev.kairos.sdk.model.TensorSpec;
import dev.kairos.sdk.tensor.DataType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime on CPU, or on a CUDA device when {@code device.kind: gpu}.
 *
 * <p>Options ({@code model.yaml} {@code options:}): {@code intraOpThreads} (default: the replica's
 * threads), {@code interOpThreads} (default 1), {@code spinWait} (default false), {@code gpuDevice}
 * (default 0). On a GPU, {@code device.memory} caps the session's CUDA memory arena.
 *
 * <p>{@code spinWait: true} lets ONNX Runtime's idle intra-op threads spin, waiting for the next
 * piece of work, instead of sleeping: each operator starts sooner, but the threads burn their cores
 * between requests. It pays only where the replica has its cores to itself; where the gateway,
 * other replicas or other programs share them, spinning takes their time (docs/ BENCHMARKS.md,
 * Model runtime, has the comparison behind the default).
 */
public final class OnnxRuntimeEngine implements Engine {
  /** The {@code options:} key that lets idle intra-op threads spin. */
  public static final String SPIN_WAIT = "spinWait";

  private static final Logger log = LoggerFactory.getLogger(OnnxRuntimeEngine.class);

  /** The optimisation level of every session made from a model file. */
  private static final OrtSession.SessionOptions.OptLevel LEVEL =
      OrtSession.SessionOptions.OptLevel.ALL_OPT;

  private final Function<String, OptimizedGraphs> graphsFactory;
  private OptimizedGraphs graphs; // guarded by this
  private boolean graphsKnown; // guarded by this

  /** Keeps optimised graphs as {@link OptimizedGraphs#standard} says (the environment decides). */
  public OnnxRuntimeEngine() {
    this(version -> OptimizedGraphs.standard(version, System.getenv()));
  }

  /**
   * @param graphs the graph cache for an ONNX Runtime version (applied once, when the first model
   *     loads, since the version is known only once ONNX Runtime has started); null keeps none
   */
  OnnxRuntimeEngine(Function<String, OptimizedGraphs> graphs) {
    this.graphsFactory = graphs;
  }

  @Override
  public String name() {
    return "onnxruntime";
  }

  @Override
  public LoadedModel load(ModelSource source) {
    String model = source.modelName();
    OrtEnvironment env = OnnxEnvironment.get();
    OptimizedGraphs.Lookup cached = lookUp(source, env);
    OrtSession.SessionOptions options = null;
    OrtSession session = null;
    try {
      java.nio.file.Path from = source.artifact();
      if (cached != null && cached.graph() != null) {
        // the graph is optimised already: the optimisers would find nothing more to do
        options = options(source, OrtSession.SessionOptions.OptLevel.NO_OPT);
        try {
          session = env.createSession(cached.graph().toString(), options);
          from = cached.graph();
        } catch (OrtException e) {
          options.close();
          options = null;
          cached.discard("ONNX Runtime cannot load it: " + e.getMessage());
          cached = lookUp(source, env);
        }
      }
      if (session == null) {
        options = options(source, LEVEL);
        boolean saving = cached != null && cached.saveWith(options);
        try {
          session = env.createSession(source.artifact().toString(), options);
        } catch (OrtException e) {
          if (!saving) {
            throw e;
          }
          // perhaps only the graph could not be written (a full disk): load without keeping it
          cached.abandon();
          options.close();
          options = options(source, LEVEL);
          session = env.createSession(source.artifact().toString(), options);
        }
        if (saving) {
          cached.keep();
        }
      }
      ModelSignature signature = signatureOf(session, model);
      ModelSignature declared = source.config().declaredSignature();
      if (declared != null) {
        checkDeclared(declared, signature, model);
        signature = declared;
      }
      return new OnnxModel(env, session, options, signature, from);
    } catch (OrtException e) {
      close(session, options);
      throw cannotLoad(source, e);
    } catch (RuntimeException e) {
      // e.g. a signature that differs from the declared one: the session made is not kept
      close(session, options);
      throw e;
    }
  }

  /**
   * Optimises the model's graph and keeps it ({@link OptimizedGraphs}) when no valid one is kept
   * yet, so that its first load creates its session without optimising. The session made for it is
   * closed at once; it runs on the calling thread alone (one intra-op thread, whatever the model
   * asks for): a preparation is background work.
   *
   * @return false when nothing is kept for this model (a GPU model, a file below {@link
   *     OptimizedGraphs#SMALLEST_KEPT}, graphs turned off or nowhere to write) or its graph is kept
   *     already
   */
  @Override
  public boolean prepare(ModelSource source) {
    OrtEnvironment env = OnnxEnvironment.get();
    OptimizedGraphs.Lookup cached = lookUp(source, env);
    if (cached == null || cached.graph() != null) {
      return false;
    }
    try (OrtSession.SessionOptions options = options(source, LEVEL)) {
      options.setIntraOpNumThreads(1);
      if (!cached.saveWith(options)) {
        return false;
      }
      try (OrtSession session = env.createSession(source.artifact().toString(), options)) {
        signatureOf(session, source.modelName());
      } catch (OrtException | RuntimeException e) {
        cached.abandon();
        throw e;
      }
      cached.keepNow();
      return true;
    } catch (OrtException e) {
      throw cannotLoad(source, e);
    }
  }

  private static ModelLoadException cannotLoad(ModelSource source, OrtException e) {
    return new ModelLoadException(
        "model '"
            + source.modelName()
            + "': ONNX Runtime cannot load "
            + source.artifact()
            + ": "
            + e.getMessage(),
        e);
  }

  /**
   * Where this model's optimised graph is kept, or null when none is: graphs are kept for the CPU
   * only (a CUDA session's graph depends on the device it was made for).
   */
  private OptimizedGraphs.Lookup lookUp(ModelSource source, OrtEnvironment env) {
    if (source.config().device().isGpu()) {
      return null;
    }
    OptimizedGraphs g = graphs(env);
    if (g == null) {
      return null;
    }
    try {
      return g.find(source.artifact(), LEVEL.name(), "cpu");
    } catch (java.io.IOException | RuntimeException e) {
      log.warn("model={} no optimised graph kept: {}", source.modelName(), e.toString());
      return null;
    }
  }

  private OptimizedGraphs graphs(OrtEnvironment env) {
    synchronized (this) {
      if (!graphsKnown) {
        graphs = graphsFactory.apply(env.getVersion());
        graphsKnown = true;
      }
      return graphs;
    }
  }

  private OrtSession.SessionOptions options(
      ModelSource source, OrtSession.SessionOptions.OptLevel level) throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      options.setIntraOpNumThreads(source.intOption("intraOpThreads", source.threads()));
      options.setInterOpNumThreads(source.intOption("interOpThreads", 1));
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(level);
      options.addConfigEntry(
          "session.intra_op.allow_spinning", source.booleanOption(SPIN_WAIT, false) ? "1" : "0");
      if (source.config().device().isGpu()) {
        addCuda(
            options,
            source.modelName(),
            cudaOptions(source.intOption("gpuDevice", 0), DeviceMemoryCap.of(source)));
      }
      return options;
    } catch (OrtException | RuntimeException e) {
      options.close();
      throw e;
    }
  }

  private static void close(OrtSession session, OrtSession.SessionOptions options) {
    if (session != null) {
      try {
        session.close();
      } catch (OrtException e) {
        // closing what failed to load: nothing more to do
      }
    }
    if (options != null) {
      options.close();
    }
  }

  /**
   * The CUDA execution provider's options. With a memory cap, ONNX Runtime's arena is limited to it
   * ({@code gpu_mem_limit}) and grows only by what is asked for, so the cap is not lost to rounding
   * up to powers of two.
   */
  static Map<String, String> cudaOptions(int device, DeviceMemoryCap cap) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("device_id", Integer.toString(device));
    if (cap.isCapped()) {
      o.put("gpu_mem_limit", Long.toString(cap.bytes()));
      o.put("arena_extend_strategy", "kSameAsRequested");
    }
    return o;
  }

  private static void addCuda(
      OrtSession.SessionOptions options, String model, Map<String, String> cudaOptions) {
    try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions()) {
      for (Map.Entry<String, String> e : cudaOptions.entrySet()) {
        cuda.add(e.getKey(), e.getValue());
      }
      // ONNX Runtime copies the options into the session options, so they may be closed here.
      options.addCUDA(cuda);
    } catch (OrtException | LinkageError e) {
      throw new ModelLoadException(
          "model '"
              + model
              + "' asks for device.kind: gpu, but ONNX Runtime's CUDA execution provider is not"
              + " available (no CUDA driver/device found, or the CPU-only onnxruntime jar is on the"
              + " class path; build with -Pgpu): "
              + e.getMessage(),
          e);
    }
  }

  static ModelSignature signatureOf(OrtSession session, String model) throws OrtException {
    return new ModelSignature(
        specs(session.getInputInfo(), model), specs(session.getOutputInfo(), model));
  }

  private static List<TensorSpec> specs(Map<String, NodeInfo> nodes, String model) {
    List<TensorSpec> out = new ArrayList<>();
    for (NodeInfo n : nodes.values()) {
      if (!(n.getInfo() instanceof TensorInfo info)) {
        throw new ModelLoadException(
            "model '" + model + "': '" + n.getName() + "' is not a tensor (" + n.getInfo() + ")");
      }
      DataType type = OnnxTypes.toDataType(info.onnxType);
      if (type == null) {
        throw new ModelLoadException(
            "model '" + model + "': '" + n.getName() + "' has unsupported type " + info.onnxType);
      }
      long[] shape = info.getShape();
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shape[i] < 0 ? -1 : shape[i];
      }
      out.add(new TensorSpec(n.getName(), type, shape));
    }
    return out;
  }

  /** A model.yaml signature must agree with the file; otherwise every request would fail later. */
  private static void checkDeclared(ModelSignature declared, ModelSignature actual, String model) {
    checkSpecs("inputs", declared.inputs(), actual, true, model);
    checkSpecs("outputs", declared.outputs(), actual, false, model);
  }

  private static void checkSpecs(
      String what, List<TensorSpec> declared, ModelSignature actual, boolean inputs, String model) {
    for (TensorSpec d : declared) {
      TensorSpec a = inputs ? actual.input(d.name()) : actual.output(d.name());
      if (a == null) {
        throw new ModelLoadException(
            "model '"
                + model
                + "': model.yaml "
                + what
                + " names '"
                + d.name()
                + "', the ONNX file has "
                + (inputs ? actual.inputs() : actual.outputs()));
      }
      if (a.datatype() != d.datatype() || a.shape().length != d.shape().length) {
        throw new ModelLoadException(
            "model '" + model + "': model.yaml declares " + d + ", the ONNX file has " + a);
      }
    }
  }
}
