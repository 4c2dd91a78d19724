package dev.kairos.multiplexer.arbiter.uds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kairos.multiplexer.arbiter.DeviceLease;
import dev.kairos.multiplexer.arbiter.SliceRejectedException;
import dev.kairos.multiplexer.arbiter.SliceRequest;
import dev.kairos.multiplexer.arbiter.policy.FifoPolicy;
import dev.kairos.multiplexer.arbiter.policy.SlicePolicies;
import dev.kairos.sdk.time.Clock;
import dev.kairos.sdk.time.ManualClock;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixSocketArbiterTest {
  private static final long MS = 1_000_000L;
  @TempDir Path dir;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void shouldGrantReleaseAndGrantTheNextWaiterOverARealSocket() throws Exception {
    try (ArbiterServer server =
            ArbiterServer.start(
                dir.resolve("cpu0.sock"), "cpu0", new FifoPolicy(), Clock.system(), true);
        UnixSocketArbiterClient heavy =
            new UnixSocketArbiterClient(server.socket(), Clock.system());
        UnixSocketArbiterClient light =
            new UnixSocketArbiterClient(server.socket(), Clock.system())) {
      DeviceLease first = heavy.acquire(new SliceRequest("resnet", 20 * MS, 0, Long.MAX_VALUE));
      CompletableFuture<DeviceLease> second =
          CompletableFuture.supplyAsync(
              () -> acquire(light, new SliceRequest("mlp", MS, 10, Long.MAX_VALUE)), pool);
      await().until(() -> server.arbiter().waitingCount() == 1);
      assertThat(second).isNotDone();
      first.close();
      DeviceLease granted = second.join();
      assertThat(server.arbiter().grantedCount()).isEqualTo(2);
      granted.close();
      await().until(() -> !server.arbiter().busy());
    }
  }

  @Test
  void shouldRejectOverTheSocketWithTheArbitersReason() throws Exception {
    ManualClock clock = new ManualClock(0, 1_000 * MS);
    try (ArbiterServer server =
            ArbiterServer.start(dir.resolve("cpu0.sock"), "cpu0", new FifoPolicy(), clock, true);
        UnixSocketArbiterClient client = new UnixSocketArbiterClient(server.socket(), clock)) {
      DeviceLease held = client.acquire(new SliceRequest("resnet", 50 * MS, 0, Long.MAX_VALUE));
      long deadline = clock.monotonicNanos() + 10 * MS;
      assertThatThrownBy(() -> client.acquire(new SliceRequest("mlp", MS, 10, deadline)))
          .isInstanceOf(SliceRejectedException.class)
          .hasMessageContaining("model 'mlp'")
          .hasMessageContaining("after its deadline");
      held.close();
      // the connection that was refused is reusable
      client.acquire(new SliceRequest("mlp", MS, 10, Long.MAX_VALUE)).close();
    }
  }

  @Test
  void aRuntimeThatDisconnectsShouldLoseItsSlice() throws Exception {
    try (ArbiterServer server =
        ArbiterServer.start(
            dir.resolve("cpu0.sock"),
            "cpu0",
            SlicePolicies.create("deadline"),
            Clock.system(),
            true)) {
      // a runtime speaking the wire format by hand, so that it can die holding the device
      SocketChannel crashing = SocketChannel.open(UnixDomainSocketAddress.of(server.socket()));
      byte[] model = "resnet".getBytes(StandardCharsets.UTF_8);
      ByteBuffer acquire =
          ByteBuffer.allocate(64)
              .put(Frames.ACQUIRE)
              .putLong(MS)
              .putInt(0)
              .putLong(-1)
              .putShort((short) model.length)
              .put(model)
              .flip();
      Frames.writeFully(crashing, acquire);
      ByteBuffer reply = ByteBuffer.allocate(9);
      Frames.readFully(crashing, reply, 9);
      assertThat(reply.get()).isEqualTo(Frames.GRANT);
      assertThat(reply.getLong()).isEqualTo(Long.MAX_VALUE); // no light model active yet
      try (UnixSocketArbiterClient other =
          new UnixSocketArbiterClient(server.socket(), Clock.system())) {
        CompletableFuture<DeviceLease> waiting =
            CompletableFuture.supplyAsync(
                () -> acquire(other, new SliceRequest("mlp", MS, 10, Long.MAX_VALUE)), pool);
        await().until(() -> server.arbiter().waitingCount() == 1);
        crashing.close();
        waiting.join().close();
      }
    }
  }

  @Test
  void shouldRefuseWhenNoArbiterListens() {
    try (UnixSocketArbiterClient client =
        new UnixSocketArbiterClient(dir.resolve("absent.sock"), Clock.system())) {
      assertThatThrownBy(() -> client.acquire(new SliceRequest("mlp", MS, 10, Long.MAX_VALUE)))
          .isInstanceOf(SliceRejectedException.class)
          .hasMessageContaining("absent.sock is unreachable");
    }
  }

  private static DeviceLease acquire(UnixSocketArbiterClient c, SliceRequest r) {
    try {
      return c.acquire(r);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
