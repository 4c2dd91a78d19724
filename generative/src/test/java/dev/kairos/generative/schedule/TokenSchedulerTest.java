package dev.kairos.generative.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table tests: each row waiting, running, free blocks, now, and the wanted plan. */
class TokenSchedulerTest {
  private static final long NEVER = Long.MAX_VALUE;

  /** id, arrival, deadline, held, needed, prefillLeft. */
  private static SequenceView s(
      long id, long arrival, long deadline, int held, int need, int left) {
    return new SequenceView(id, arrival, deadline, held, need, left);
  }

  static Stream<Arguments> rows() {
    return Stream.of(
        Arguments.of(
            "idle", List.of(), List.of(), 10, 0L, plan(List.of(), List.of(), List.of(), Map.of())),
        Arguments.of(
            "decoders step one token each",
            List.of(),
            List.of(s(1, 0, NEVER, 2, 0, 0), s(2, 1, NEVER, 2, 1, 0)),
            1,
            5L,
            plan(List.of(), List.of(), List.of(), Map.of(1L, 1, 2L, 1))),
        Arguments.of(
            "a waiting prompt joins the running batch with a chunk of the prefill budget",
            List.of(s(3, 2, NEVER, 0, 4, 100)),
            List.of(s(1, 0, NEVER, 2, 0, 0)),
            10,
            5L,
            plan(List.of(), List.of(), List.of(3L), Map.of(1L, 1, 3L, 32))),
        Arguments.of(
            "admission stops at the first prompt whose blocks do not fit: no overtaking",
            List.of(s(3, 2, NEVER, 0, 8, 20), s(4, 3, NEVER, 0, 1, 2)),
            List.of(),
            5,
            5L,
            plan(List.of(), List.of(), List.of(), Map.of())),
        Arguments.of(
            "out of blocks: the youngest running sequence is preempted, nothing admitted",
            List.of(s(5, 9, NEVER, 0, 1, 3)),
            List.of(s(1, 0, NEVER, 3, 1, 0), s(2, 1, NEVER, 3, 1, 0)),
            1,
            5L,
            plan(List.of(), List.of(2L), List.of(), Map.of(1L, 1))),
        Arguments.of(
            "prefill chunks share the budget oldest first",
            List.of(),
            List.of(s(1, 0, NEVER, 4, 0, 20), s(2, 1, NEVER, 4, 0, 20), s(3, 2, NEVER, 1, 0, 0)),
            0,
            5L,
            plan(List.of(), List.of(), List.of(), Map.of(1L, 20, 2L, 12, 3L, 1))),
        Arguments.of(
            "a waiting sequence past its deadline expires",
            List.of(s(7, 0, 4, 0, 1, 2), s(8, 1, NEVER, 0, 1, 2)),
            List.of(),
            10,
            5L,
            plan(List.of(7L), List.of(), List.of(8L), Map.of(8L, 2))),
        Arguments.of(
            "the running batch is full",
            List.of(s(9, 5, NEVER, 0, 1, 2)),
            List.of(
                s(1, 0, NEVER, 1, 0, 0),
                s(2, 0, NEVER, 1, 0, 0),
                s(3, 0, NEVER, 1, 0, 0),
                s(4, 0, NEVER, 1, 0, 0)),
            10,
            5L,
            plan(List.of(), List.of(), List.of(), Map.of(1L, 1, 2L, 1, 3L, 1, 4L, 1))));
  }

  private static StepPlan plan(
      List<Long> expired, List<Long> preempted, List<Long> admitted, Map<Long, Integer> tokens) {
    return new StepPlan(expired, preempted, admitted, tokens);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void shouldDecide(
      String label,
      List<SequenceView> waiting,
      List<SequenceView> running,
      int free,
      long now,
      StepPlan wanted) {
    StepPlan got = new TokenScheduler(4, 32).decide(waiting, running, free, now);
    assertThat(got.expired()).as("expired").isEqualTo(wanted.expired());
    assertThat(got.preempted()).as("preempted").isEqualTo(wanted.preempted());
    assertThat(new ArrayList<>(got.admitted())).as("admitted").isEqualTo(wanted.admitted());
    assertThat(got.tokens()).as("tokens").isEqualTo(wanted.tokens());
  }
}
