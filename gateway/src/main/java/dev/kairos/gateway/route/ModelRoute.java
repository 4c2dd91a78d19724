package dev.kairos.gateway.route;

import dev.kairos.gateway.resilience.ModelGate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * A model's versions, their traffic weights and replica sets, and its serving state.
 *
 * <p>Without weights every request goes to the highest version that has a routable replica.
 */
public final class ModelRoute {
  /** Where the model is in its life. */
  public enum State {
    LOADING,
    READY,
    FAILED
  }

  private final String name;
  private final Map<String, ReplicaSet> versions = new ConcurrentHashMap<>();
  private volatile String[] weightedVersions = new String[0];
  private volatile int[] cumulativeWeights = new int[0];
  private volatile State state = State.LOADING;
  private volatile String reason;
  private volatile ModelLimits limits;
  private volatile boolean generative;
  private final ModelGate gate = new ModelGate();

  /** Model metadata as a replica last answered it, by the version asked for ("" for none). */
  private final Map<String, byte[]> metadata = new ConcurrentHashMap<>();

  /** Told when a replica joins one of the model's versions. */
  private final Runnable onReplicaAdded;

  public ModelRoute(String name) {
    this(name, () -> {});
  }

  /**
   * @param onReplicaAdded runs, on the adding thread, each time a replica joins a version
   */
  public ModelRoute(String name, Runnable onReplicaAdded) {
    this.name = name;
    this.onReplicaAdded = onReplicaAdded;
  }

  public String name() {
    return name;
  }

  /**
   * Whether the model generates text ({@code task: text-generation}): it answers the OpenAI API and
   * is listed by {@code GET /v1/models}.
   */
  public boolean generative() {
    return generative;
  }

  public void setGenerative(boolean generative) {
    this.generative = generative;
  }

  public State state() {
    return state;
  }

  /** Why the model failed, or null. */
  public String reason() {
    return reason;
  }

  /** What a readiness check of the model, or of one of its versions, answers. */
  public enum Readiness {
    /** It serves: with replicas, or at zero, where the first inference starts one. */
    READY,
    LOADING,
    FAILED,
    NO_SUCH_VERSION
  }

  /**
   * Readiness from the route alone, without asking a replica and without waking a model at zero
   * replicas: a model that is loaded counts as ready at zero, since an inference will be served
   * (after a scale-up), and polling its readiness must not be what keeps it from zero.
   *
   * @param version a version, or null for the model
   */
  public Readiness readiness(String version) {
    if (version != null && versions.get(version) == null) {
      return Readiness.NO_SUCH_VERSION;
    }
    return switch (state) {
      case READY -> Readiness.READY;
      case LOADING -> Readiness.LOADING;
      case FAILED -> Readiness.FAILED;
    };
  }

  public void markReady() {
    state = State.READY;
    reason = null;
  }

  public void markFailed(String why) {
    state = State.FAILED;
    reason = why;
  }

  /**
   * Keeps the model metadata a replica answered, so that it can be answered while the model is at
   * zero replicas without starting one.
   *
   * @param version the version asked for, or null
   */
  public void rememberMetadata(String version, byte[] body) {
    metadata.put(version == null ? "" : version, body);
  }

  /** The metadata a replica last answered for {@code version} (or null for none), or null. */
  public byte[] knownMetadata(String version) {
    return metadata.get(version == null ? "" : version);
  }

  /** This model's own limits, or null to use the gateway's defaults. */
  public ModelLimits limits() {
    return limits;
  }

  /** Sets this model's limits (bulkhead, queue, timeout); null restores the gateway's defaults. */
  public void setLimits(ModelLimits newLimits) {
    limits = newLimits;
  }

  /** The bulkhead every forwarded request of this model passes. */
  public ModelGate gate() {
    return gate;
  }

  /** The replica set of a version, created empty on first use. */
  public ReplicaSet version(String version) {
    return versions.computeIfAbsent(version, v -> new ReplicaSet(onReplicaAdded));
  }

  public ReplicaSet existingVersion(String version) {
    return versions.get(version);
  }

  public Map<String, ReplicaSet> versions() {
    return Map.copyOf(versions);
  }

  /**
   * Sets the traffic split: version → weight (non-negative, summing to more than 0). An empty map
   * sends everything to the highest routable version.
   */
  public synchronized void setTraffic(Map<String, Integer> weights) {
    Map<String, Integer> copy = new LinkedHashMap<>();
    int total = 0;
    for (Map.Entry<String, Integer> e : weights.entrySet()) {
      if (e.getValue() < 0) {
        throw new IllegalArgumentException(
            "traffic weight of version " + e.getKey() + " is negative");
      }
      if (e.getValue() > 0) {
        copy.put(e.getKey(), e.getValue());
        total += e.getValue();
      }
    }
    if (!weights.isEmpty() && total == 0) {
      throw new IllegalArgumentException("traffic weights add up to 0");
    }
    String[] vs = copy.keySet().toArray(String[]::new);
    int[] cum = new int[vs.length];
    int acc = 0;
    for (int i = 0; i < vs.length; i++) {
      acc += copy.get(vs[i]);
      cum[i] = acc;
    }
    cumulativeWeights = cum;
    weightedVersions = vs;
  }

  public Map<String, Integer> traffic() {
    String[] vs = weightedVersions;
    int[] cum = cumulativeWeights;
    Map<String, Integer> out = new LinkedHashMap<>();
    for (int i = 0; i < vs.length; i++) {
      out.put(vs[i], cum[i] - (i == 0 ? 0 : cum[i - 1]));
    }
    return out;
  }

  /** The version a request without an explicit version goes to, or null if none can take it. */
  public String chooseVersion(RandomGenerator random) {
    String[] vs = weightedVersions;
    int[] cum = cumulativeWeights;
    if (vs.length > 0) {
      int x = random.nextInt(cum[cum.length - 1]);
      for (int i = 0; i < vs.length; i++) {
        if (x < cum[i]) {
          return vs[i];
        }
      }
    }
    String best = null;
    for (Map.Entry<String, ReplicaSet> e : versions.entrySet()) {
      if (e.getValue().routable() > 0 && (best == null || newer(e.getKey(), best))) {
        best = e.getKey();
      }
    }
    return best;
  }

  /**
   * Whether no replica of any version can take another inference now: some replica takes requests
   * and every one holds its capacity. (With a traffic split, a request can still find its version
   * full when this is false.)
   */
  public boolean full() {
    boolean any = false;
    for (ReplicaSet s : versions.values()) {
      if (s.full()) {
        any = true;
      } else if (s.routable() > 0) {
        return false;
      }
    }
    return any;
  }

  /** Total in-flight requests over every version's replicas. */
  public int inFlight() {
    int n = 0;
    for (ReplicaSet s : versions.values()) {
      n += s.inFlight();
    }
    return n;
  }

  public List<String> versionNames() {
    return versions.keySet().stream().sorted(ModelRoute::compareVersions).toList();
  }

  private static boolean newer(String a, String b) {
    return compareVersions(a, b) > 0;
  }

  static int compareVersions(String a, String b) {
    try {
      return Long.compare(Long.parseLong(a), Long.parseLong(b));
    } catch (NumberFormatException e) {
      return a.compareTo(b);
    }
  }
}
