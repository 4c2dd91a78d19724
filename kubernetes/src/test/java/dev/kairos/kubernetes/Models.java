package dev.kairos.kubernetes;

import dev.kairos.kubernetes.crd.ArtifactSpec;
import dev.kairos.kubernetes.crd.Model;
import dev.kairos.kubernetes.crd.ModelSpec;
import dev.kairos.kubernetes.crd.TensorSpecDto;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Model resources for tests. */
public final class Models {
  private Models() {}

  /** The mlp example as a Model: versions 1 and 2, 90/10 traffic, two initial replicas. */
  public static Model mlp(String namespace) {
    Model m = new Model();
    m.setMetadata(new ObjectMetaBuilder().withName("mlp").withNamespace(namespace).build());
    ModelSpec spec = new ModelSpec();
    spec.setEngine("onnxruntime");
    spec.setArtifact(new ArtifactSpec("pvc://kairos-models/mlp"));
    spec.setVersions(List.of("1", "2"));
    spec.setInputs(List.of(new TensorSpecDto("input", "FP32", List.of(-1L, 4L))));
    spec.setOutputs(List.of(new TensorSpecDto("output", "FP32", List.of(-1L, 3L))));
    spec.setBatching(map("maxBatchSize", 8, "maxQueueDelay", "2ms"));
    spec.setScaling(map("minReplicas", 0, "maxReplicas", 6, "initialScale", 2));
    Map<String, Integer> traffic = new LinkedHashMap<>();
    traffic.put("1", 90);
    traffic.put("2", 10);
    spec.setTraffic(traffic);
    m.setSpec(spec);
    return m;
  }

  public static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
