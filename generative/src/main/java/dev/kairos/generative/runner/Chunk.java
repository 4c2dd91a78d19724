package dev.kairos.generative.runner;

/**
 * One sequence's share of a model step: tokens to compute, after {@code past} tokens already in its
 * blocks.
 *
 * @param tokens the token ids to compute, at positions {@code past ..}
 * @param past tokens of this sequence already in the KV cache
 * @param blocks the sequence's block table: enough blocks for {@code past + tokens.length}
 */
public record Chunk(int[] tokens, int past, int[] blocks) {}
