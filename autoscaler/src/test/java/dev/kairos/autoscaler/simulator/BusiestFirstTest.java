package dev.kairos.autoscaler.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class BusiestFirstTest {
  private static List<TraceModel> models(int... requests) {
    List<TraceModel> out = new ArrayList<>();
    for (int i = 0; i < requests.length; i++) {
      out.add(new ExplicitArrivalsModel("m" + i, new double[requests[i]]));
    }
    return out;
  }

  @Test
  void shouldTakeTheBusiestModelsFirstAndReturnResultsInTheModelsOrder() {
    List<Integer> taken = Collections.synchronizedList(new ArrayList<>());
    List<String> results =
        BusiestFirst.map(
            models(3, 50, 1, 50, 7),
            1,
            i -> {
              taken.add(i);
              return "r" + i;
            });
    assertThat(taken).containsExactly(1, 3, 4, 0, 2); // ties in the models' order
    assertThat(results).containsExactly("r0", "r1", "r2", "r3", "r4");
  }

  @Test
  void shouldRunEveryModelOnceOnSeveralThreads() {
    List<Integer> taken = Collections.synchronizedList(new ArrayList<>());
    List<Integer> results =
        BusiestFirst.map(
            models(5, 4, 3, 2, 1, 9, 8),
            3,
            i -> {
              taken.add(i);
              return i * 10;
            });
    assertThat(taken).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6);
    assertThat(results).containsExactly(0, 10, 20, 30, 40, 50, 60);
  }

  @Test
  void shouldRethrowATasksException() {
    assertThatThrownBy(
            () ->
                BusiestFirst.map(
                    models(1, 2),
                    2,
                    i -> {
                      throw new IllegalArgumentException("model " + i + " is bad");
                    }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is bad");
  }
}
