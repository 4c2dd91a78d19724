package dev.kairos.generative;

import dev.kairos.generative.kv.KvBlocks;
import dev.kairos.generative.schedule.SequenceView;
import dev.kairos.generative.text.TextStream;
import java.util.Arrays;
import java.util.SplittableRandom;

/** One request's state inside the engine; touched only by the engine's thread (but cancel). */
final class Sequence {
  final long id;
  final GenerationRequest request;
  final TokenSink sink;
  final long arrivalNanos;
  final TextStream text;
  final SplittableRandom random;
  int[] tokens;
  int length;
  int computed;
  int[] blocks = new int[4];
  int blockCount;
  long[] hashes = new long[4];
  int hashed;
  int generated;
  long firstTokenNanos = -1;
  volatile boolean cancelled;

  Sequence(long id, GenerationRequest request, TokenSink sink, long now, TextStream text) {
    this.id = id;
    this.request = request;
    this.sink = sink;
    this.arrivalNanos = now;
    this.text = text;
    Long seed = request.sampling().seed();
    this.random = seed == null ? new SplittableRandom() : new SplittableRandom(seed);
    this.tokens = Arrays.copyOf(request.prompt(), request.prompt().length + 16);
    this.length = request.prompt().length;
  }

  void append(int token) {
    if (length == tokens.length) {
      tokens = Arrays.copyOf(tokens, length * 2);
    }
    tokens[length++] = token;
    generated++;
  }

  void addBlock(int block) {
    if (blockCount == blocks.length) {
      blocks = Arrays.copyOf(blocks, blockCount * 2);
    }
    blocks[blockCount++] = block;
  }

  /** The hash of full block k's prefix, computed once per block. */
  long prefixHash(int k, int blockSize) {
    if (k >= hashes.length) {
      hashes = Arrays.copyOf(hashes, Math.max(k + 1, hashes.length * 2));
    }
    while (hashed <= k) {
      long previous = hashed == 0 ? 0 : hashes[hashed - 1];
      hashes[hashed] = KvBlocks.chain(previous, tokens, hashed * blockSize, blockSize);
      hashed++;
    }
    return hashes[k];
  }

  static int blocksFor(int tokens, int blockSize) {
    return (tokens + blockSize - 1) / blockSize;
  }

  /** Tokens still to compute before the next sample; over 1 means a prefill (or recompute). */
  int pending() {
    return length - computed;
  }

  SequenceView view(int blocksNeeded, int cachedTokens) {
    int pending = pending() - cachedTokens;
    return new SequenceView(
        id,
        arrivalNanos,
        request.deadlineNanos(),
        blockCount,
        blocksNeeded,
        pending > 1 ? pending : 0);
  }

  TokenSink.Usage usage() {
    return new TokenSink.Usage(request.prompt().length, generated);
  }
}
