package dev.kairos.kubernetes.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuntimeObjectsTest {
  @ParameterizedTest(name = "threads={0} request={1} limit={2} -> {3} cores")
  @CsvSource({
    "0, 1, , 1",
    "0, 500m, , 1",
    "0, 2500m, , 3",
    "0, 4, 8, 4",
    "0, , 2, 2",
    "0, , , 1",
    "6, 2, , 6"
  })
  void shouldGiveTheEngineTheCoresThePodAsksFor(
      int threads, String request, String limit, int expected) {
    ResourceRequirementsBuilder b = new ResourceRequirementsBuilder();
    if (request != null) {
      b.addToRequests("cpu", new Quantity(request));
    }
    if (limit != null) {
      b.addToLimits("cpu", new Quantity(limit));
    }
    ResourceRequirements r = b.build();

    assertThat(RuntimeObjects.cores(threads, r)).isEqualTo(expected);
  }
}
