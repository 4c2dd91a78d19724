package dev.kairos.generative.schedule;

import java.util.List;
import java.util.Map;

/**
 * One step's decision.
 *
 * @param expired waiting sequences whose deadline passed before they could start
 * @param preempted running sequences that give back their blocks and wait again (recompute)
 * @param admitted waiting sequences that start this step
 * @param tokens how many tokens each scheduled sequence computes this step (1 to decode, a chunk of
 *     its prompt to prefill)
 */
public record StepPlan(
    List<Long> expired, List<Long> preempted, List<Long> admitted, Map<Long, Integer> tokens) {
  public StepPlan {
    expired = List.copyOf(expired);
    preempted = List.copyOf(preempted);
    admitted = List.copyOf(admitted);
    tokens = Map.copyOf(tokens);
  }

  public boolean isIdle() {
    return tokens.isEmpty();
  }
}
