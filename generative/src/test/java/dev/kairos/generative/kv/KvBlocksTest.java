package dev.kairos.generative.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KvBlocksTest {
  @Test
  void shouldNeverHandOutTheNullBlock() {
    KvBlocks blocks = new KvBlocks(3, 4);
    assertThat(blocks.allocate()).isNotZero();
    assertThat(blocks.allocate()).isNotZero();
    assertThatThrownBy(blocks::allocate).hasMessageContaining("no free KV block");
  }

  @Test
  void shouldShareARegisteredBlockByPrefixHashAndCountHolders() {
    KvBlocks blocks = new KvBlocks(4, 4);
    int b = blocks.allocate();
    blocks.register(b, 42L);
    assertThat(blocks.acquireCached(42L)).isEqualTo(b);
    assertThat(blocks.holders(b)).isEqualTo(2);
    assertThat(blocks.used()).isEqualTo(1);
    blocks.release(b);
    blocks.release(b);
    // Nobody holds it, but it stays cached and counts as free until evicted.
    assertThat(blocks.free()).isEqualTo(3);
    assertThat(blocks.acquireCached(42L)).isEqualTo(b);
    assertThat(blocks.hits()).isEqualTo(2);
  }

  @Test
  void shouldEvictCachedBlocksOnlyWhenNoCleanBlockIsLeft() {
    KvBlocks blocks = new KvBlocks(3, 4);
    int cached = blocks.allocate();
    blocks.register(cached, 7L);
    blocks.release(cached);
    int other = blocks.allocate();
    assertThat(other).isNotEqualTo(cached);
    assertThat(blocks.isCached(7L)).isTrue();
    assertThat(blocks.allocate()).isEqualTo(cached);
    assertThat(blocks.isCached(7L)).isFalse();
    assertThat(blocks.acquireCached(7L)).isEqualTo(-1);
  }

  @Test
  void shouldRefuseAReleaseOfAnUnheldBlock() {
    KvBlocks blocks = new KvBlocks(3, 4);
    int b = blocks.allocate();
    blocks.release(b);
    assertThatThrownBy(() -> blocks.release(b)).hasMessageContaining("released more often");
  }

  @Test
  void shouldChainPrefixHashesSoEqualBlocksAfterDifferentPrefixesDiffer() {
    int[] a = {1, 2, 3, 4, 5, 6, 7, 8};
    int[] b = {9, 2, 3, 4, 5, 6, 7, 8};
    long a1 = KvBlocks.chain(0, a, 0, 4);
    long b1 = KvBlocks.chain(0, b, 0, 4);
    assertThat(KvBlocks.chain(a1, a, 4, 4)).isNotEqualTo(KvBlocks.chain(b1, b, 4, 4));
    assertThat(KvBlocks.chain(a1, a, 4, 4)).isEqualTo(KvBlocks.chain(a1, a.clone(), 4, 4));
  }
}
