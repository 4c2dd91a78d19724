package dev.kairos.generative.kv;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The block manager: which KV blocks are free, which sequences hold which, and which full blocks
 * can be shared by prefix. It holds no tensors (the pool does); it only counts.
 *
 * <p>Block 0 is the null block, never handed out: padding in block tables points there. A full
 * block is registered under the hash of its whole prefix; when its last holder releases it, it
 * stays cached (evictable, least recently released first) until the space is needed, so a later
 * prompt with the same prefix picks it up again. Only full blocks are shared, and a full block is
 * never written again, so sharing needs no copy-on-write.
 */
public final class KvBlocks {
  private final int blockSize;
  private final int[] refs;
  private final long[] hashOf;
  private final boolean[] hashed;
  private final ArrayDeque<Integer> clean = new ArrayDeque<>();
  private final LinkedHashMap<Integer, Boolean> evictable = new LinkedHashMap<>();
  private final Map<Long, Integer> byHash = new HashMap<>();
  private long lookups;
  private long hits;

  /**
   * @param blocks blocks in the pool, the null block included
   * @param blockSize tokens per block
   */
  public KvBlocks(int blocks, int blockSize) {
    if (blocks < 2 || blockSize < 1) {
      throw new IllegalArgumentException(
          "KV pool of " + blocks + " blocks of " + blockSize + " tokens: needs >= 2 blocks, >= 1");
    }
    this.blockSize = blockSize;
    this.refs = new int[blocks];
    this.hashOf = new long[blocks];
    this.hashed = new boolean[blocks];
    for (int b = 1; b < blocks; b++) {
      clean.add(b);
    }
  }

  public int blockSize() {
    return blockSize;
  }

  /** Blocks a sequence could take now: never used, or cached but held by no one. */
  public int free() {
    return clean.size() + evictable.size();
  }

  /** Blocks held by at least one sequence. */
  public int used() {
    return refs.length - 1 - free();
  }

  public int capacity() {
    return refs.length - 1;
  }

  /** Takes a free block, evicting the least recently released cached one if none is clean. */
  public int allocate() {
    int b;
    if (!clean.isEmpty()) {
      b = clean.poll();
    } else if (!evictable.isEmpty()) {
      b = evictable.keySet().iterator().next();
      evictable.remove(b);
      byHash.remove(hashOf[b]);
      hashed[b] = false;
    } else {
      throw new IllegalStateException("no free KV block");
    }
    refs[b] = 1;
    return b;
  }

  /** Drops one holder; a block nobody holds becomes free (cached if it was registered). */
  public void release(int block) {
    if (refs[block] <= 0) {
      throw new IllegalStateException("KV block " + block + " released more often than held");
    }
    if (--refs[block] == 0) {
      if (hashed[block]) {
        evictable.put(block, Boolean.TRUE);
      } else {
        clean.add(block);
      }
    }
  }

  /**
   * The cached block holding exactly the prefix with this hash, now held once more by the caller,
   * or -1.
   */
  public int acquireCached(long prefixHash) {
    lookups++;
    Integer b = byHash.get(prefixHash);
    if (b == null) {
      return -1;
    }
    hits++;
    if (refs[b]++ == 0) {
      evictable.remove(b);
    }
    return b;
  }

  /** Whether a prefix is cached (held or evictable), without taking it. */
  public boolean isCached(long prefixHash) {
    return byHash.containsKey(prefixHash);
  }

  /** Whether a cached prefix is held by some sequence (taking it then costs no free block). */
  public boolean isHeld(long prefixHash) {
    Integer b = byHash.get(prefixHash);
    return b != null && refs[b] > 0;
  }

  /** Marks a block full, shareable under its prefix hash (first writer wins). */
  public void register(int block, long prefixHash) {
    if (hashed[block] || byHash.containsKey(prefixHash)) {
      return;
    }
    hashed[block] = true;
    hashOf[block] = prefixHash;
    byHash.put(prefixHash, block);
  }

  public int holders(int block) {
    return refs[block];
  }

  /** Prefix-cache lookups and hits since creation. */
  public long lookups() {
    return lookups;
  }

  public long hits() {
    return hits;
  }

  /**
   * The hash of a prefix ending with {@code tokens[from, from + blockSize)}, chained from the hash
   * of the prefix before it.
   */
  public static long chain(long previous, int[] tokens, int from, int length) {
    long h = previous * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
    for (int i = from; i < from + length; i++) {
      h ^= tokens[i];
      h *= 0xFF51AFD7ED558CCDL;
      h ^= h >>> 33;
    }
    return h ^ Arrays.hashCode(new int[] {length});
  }
}
