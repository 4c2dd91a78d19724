package dev.kairos.generative.schedule;

/**
 * What the scheduler needs to know of one sequence.
 *
 * @param id the sequence
 * @param arrivalNanos when it was submitted; older runs first and is preempted last
 * @param deadlineNanos when its client stops waiting ({@link Long#MAX_VALUE} for never)
 * @param blocksHeld KV blocks it holds now (freed if it is preempted)
 * @param blocksNeeded blocks it must get before its next step: for a waiting sequence, the blocks
 *     of its prompt not shared from the prefix cache; for a running one, 1 when its last block is
 *     full, else 0
 * @param prefillLeft prompt tokens not yet in the cache; 0 once it decodes
 */
public record SequenceView(
    long id,
    long arrivalNanos,
    long deadlineNanos,
    int blocksHeld,
    int blocksNeeded,
    int prefillLeft) {}
