package dev.kairos.generative.schedule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which sequences run this step: a pure function of (waiting, running, free blocks, now), like the
 * autoscaler's decider.
 *
 * <p>Rules, in order:
 *
 * <ol>
 *   <li>A waiting sequence past its deadline expires.
 *   <li>Every running sequence steps. If the blocks they need exceed the free blocks, the youngest
 *       running sequence is preempted (its blocks freed, to be recomputed later) until the rest
 *       fit; the oldest is never preempted for a younger one.
 *   <li>Prefill shares a per-step token budget, oldest first, so one long prompt cannot stall the
 *       decoding sequences for more than one chunk.
 *   <li>Waiting sequences are admitted first come, first served, while the running set has room,
 *       their prompt's blocks fit in what is free, and prefill budget remains. The first that does
 *       not fit stops admission (no overtaking), and nothing is admitted in a step that preempted.
 * </ol>
 */
public final class TokenScheduler {
  private final int maxRunning;
  private final int prefillBudget;

  /**
   * @param maxRunning most sequences in the running batch
   * @param prefillBudget most prompt tokens computed in one step (the prefill chunk)
   */
  public TokenScheduler(int maxRunning, int prefillBudget) {
    if (maxRunning < 1 || prefillBudget < 1) {
      throw new IllegalArgumentException(
          "maxRunning = " + maxRunning + ", prefillChunk = " + prefillBudget + ": must be >= 1");
    }
    this.maxRunning = maxRunning;
    this.prefillBudget = prefillBudget;
  }

  public StepPlan decide(
      List<SequenceView> waiting, List<SequenceView> running, int freeBlocks, long nowNanos) {
    Comparator<SequenceView> oldestFirst =
        Comparator.comparingLong(SequenceView::arrivalNanos).thenComparingLong(SequenceView::id);
    List<SequenceView> run = new ArrayList<>(running);
    run.sort(oldestFirst);
    List<Long> preempted = new ArrayList<>();
    int free = freeBlocks;
    int needed = run.stream().mapToInt(SequenceView::blocksNeeded).sum();
    while (needed > free && !run.isEmpty()) {
      SequenceView youngest = run.remove(run.size() - 1);
      preempted.add(youngest.id());
      needed -= youngest.blocksNeeded();
      free += youngest.blocksHeld();
    }
    free -= needed;

    Map<Long, Integer> tokens = new LinkedHashMap<>();
    int budget = prefillBudget;
    for (SequenceView s : run) {
      if (s.prefillLeft() == 0) {
        tokens.put(s.id(), 1);
      } else if (budget > 0) {
        int chunk = Math.min(budget, s.prefillLeft());
        tokens.put(s.id(), chunk);
        budget -= chunk;
      }
    }

    List<Long> expired = new ArrayList<>();
    List<Long> admitted = new ArrayList<>();
    List<SequenceView> queue = new ArrayList<>(waiting);
    queue.sort(oldestFirst);
    boolean admitting = preempted.isEmpty();
    int room = maxRunning - run.size();
    for (SequenceView s : queue) {
      if (s.deadlineNanos() <= nowNanos) {
        expired.add(s.id());
        continue;
      }
      if (!admitting || room == 0 || budget == 0 || s.blocksNeeded() > free) {
        admitting = false;
        continue;
      }
      admitted.add(s.id());
      room--;
      free -= s.blocksNeeded();
      int chunk = Math.min(budget, Math.max(1, s.prefillLeft()));
      tokens.put(s.id(), chunk);
      budget -= chunk;
    }
    return new StepPlan(expired, preempted, admitted, tokens);
  }
}
