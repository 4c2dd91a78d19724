package dev.kairos.runtime.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DirectBufferPoolTest {
  @ParameterizedTest(name = "{0} bytes -> class {1}")
  @CsvSource({
    "0, 4096",
    "1, 4096",
    "4096, 4096",
    "4097, 5120",
    "602112, 655360",
    "1048576, 1048576",
    "19267584, 20971520",
  })
  void shouldRoundUpToASizeClassAtMostAQuarterLarger(int bytes, int sizeClass) {
    assertThat(DirectBufferPool.sizeClass(bytes)).isEqualTo(sizeClass);
    assertThat((double) sizeClass).isLessThanOrEqualTo(Math.max(4096, bytes * 1.25));
  }

  @Test
  void shouldLendADirectLittleEndianBufferLimitedToTheSizeAskedFor() {
    DirectBufferPool pool = new DirectBufferPool(1 << 20);
    try (PooledBuffer b = pool.take(5000)) {
      assertThat(b.buffer().isDirect()).isTrue();
      assertThat(b.buffer().order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
      assertThat(b.buffer().position()).isZero();
      assertThat(b.buffer().limit()).isEqualTo(5000);
      assertThat(b.buffer().capacity()).isEqualTo(5120);
    }
  }

  @Test
  void shouldLendTheSameMemoryAgainOnceGivenBack() {
    DirectBufferPool pool = new DirectBufferPool(1 << 20);
    PooledBuffer first = pool.take(10_000);
    ByteBuffer memory = first.buffer();
    memory.putInt(0, 42);
    first.close();
    assertThat(pool.retainedBytes()).isEqualTo(DirectBufferPool.sizeClass(10_000));
    try (PooledBuffer again = pool.take(9_500)) {
      assertThat(again.buffer()).isSameAs(memory);
      assertThat(again.buffer().limit()).isEqualTo(9_500);
      assertThat(pool.retainedBytes()).isZero();
    }
  }

  @Test
  void shouldCountTheBuffersLentUntilEachIsGivenBackOnceEvenWhenDropped() {
    DirectBufferPool pool = new DirectBufferPool(8192);
    PooledBuffer kept = pool.take(8192);
    PooledBuffer dropped = pool.take(8192);
    assertThat(pool.lentBuffers()).isEqualTo(2);
    kept.close();
    kept.close();
    assertThat(pool.lentBuffers()).isEqualTo(1);
    dropped.close();
    assertThat(pool.retainedBytes()).as("the second is over the cap").isEqualTo(8192);
    assertThat(pool.lentBuffers()).isZero();
  }

  @Test
  void shouldNotLendOneBufferTwiceWhenClosedTwice() {
    DirectBufferPool pool = new DirectBufferPool(1 << 20);
    PooledBuffer b = pool.take(8192);
    b.close();
    b.close();
    assertThat(pool.retainedBytes()).isEqualTo(8192);
    try (PooledBuffer x = pool.take(8192);
        PooledBuffer y = pool.take(8192)) {
      assertThat(x.buffer()).isNotSameAs(y.buffer());
    }
  }

  @Test
  void shouldKeepNoMoreIdleBytesThanItsBound() {
    DirectBufferPool pool = new DirectBufferPool(3 * 8192);
    PooledBuffer[] lent = new PooledBuffer[5];
    for (int i = 0; i < lent.length; i++) {
      lent[i] = pool.take(8192);
    }
    for (PooledBuffer b : lent) {
      b.close();
    }
    assertThat(pool.retainedBytes()).isEqualTo(3 * 8192);
  }

  @Test
  void shouldRefuseASizeOutOfRange() {
    DirectBufferPool pool = new DirectBufferPool(0);
    assertThatThrownBy(() -> pool.take(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> pool.take(1L << 31)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DirectBufferPool(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxRetainedBytes = -1");
  }
}
