package dev.kairos.multiplexer.arbiter.uds;

import dev.kairos.multiplexer.arbiter.ArbiterClient;
import dev.kairos.multiplexer.arbiter.DeviceLease;
import dev.kairos.multiplexer.arbiter.SliceRejectedException;
import dev.kairos.multiplexer.arbiter.SliceRequest;
import dev.kairos.sdk.time.Clock;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A runtime's connection to its device's arbiter over a Unix domain socket. Each concurrent {@link
 * #acquire} uses its own connection (kept in a small pool), so one connection has at most one
 * request in flight and a release needs no id.
 *
 * <p>When the arbiter cannot be reached the batch is refused with {@link SliceRejectedException}
 * (503): a runtime on a shared device does not run unarbitrated.
 */
public final class UnixSocketArbiterClient implements ArbiterClient {
  private final Path socket;
  private final Clock clock;
  private final ConcurrentLinkedDeque<Channel> idle = new ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  public UnixSocketArbiterClient(Path socket, Clock clock) {
    this.socket = socket;
    this.clock = clock;
  }

  public Path socket() {
    return socket;
  }

  @Override
  public DeviceLease acquire(SliceRequest request) throws InterruptedException {
    if (closed) {
      throw new SliceRejectedException("arbiter client is closed");
    }
    Channel c = idle.pollFirst();
    try {
      if (c == null) {
        c = new Channel(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
        c.hello();
      }
      return c.acquire(request);
    } catch (ClosedByInterruptException e) {
      throw new InterruptedException("interrupted while waiting for the arbiter at " + socket);
    } catch (IOException e) {
      if (c != null) {
        c.closeQuietly();
      }
      throw new SliceRejectedException(
          "device arbiter at " + socket + " is unreachable: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    closed = true;
    Channel c;
    while ((c = idle.pollFirst()) != null) {
      c.closeQuietly();
    }
  }

  private final class Channel {
    final SocketChannel ch;
    final ByteBuffer buf = ByteBuffer.allocateDirect(64 + Frames.MAX_TEXT);

    Channel(SocketChannel ch) {
      this.ch = ch;
    }

    /** Tells the arbiter who this is, so that a CPU device's arbiter can suspend this process. */
    void hello() throws IOException {
      buf.clear().put(Frames.HELLO).putLong(ProcessHandle.current().pid()).flip();
      Frames.writeFully(ch, buf);
    }

    DeviceLease acquire(SliceRequest r) throws IOException {
      byte[] model = r.model().getBytes(StandardCharsets.UTF_8);
      if (model.length > Frames.MAX_TEXT) {
        throw new IllegalArgumentException("model name longer than " + Frames.MAX_TEXT + " bytes");
      }
      long deadlineIn =
          r.deadlineNanos() == Long.MAX_VALUE
              ? -1
              : Math.max(0, r.deadlineNanos() - clock.monotonicNanos());
      buf.clear()
          .put(Frames.ACQUIRE)
          .putLong(r.estimatedNanos())
          .putInt(r.priority())
          .putLong(deadlineIn)
          .putShort((short) model.length)
          .put(model)
          .flip();
      Frames.writeFully(ch, buf);
      Frames.readFully(ch, buf, 1);
      byte type = buf.get();
      if (type == Frames.GRANT) {
        Frames.readFully(ch, buf, 8);
        return new Lease(this, buf.getLong());
      }
      if (type == Frames.REJECT) {
        Frames.readFully(ch, buf, 2);
        int n = Short.toUnsignedInt(buf.getShort());
        Frames.readFully(ch, buf, n);
        byte[] text = new byte[n];
        buf.get(text);
        idle.offerFirst(this);
        throw new SliceRejectedException(new String(text, StandardCharsets.UTF_8));
      }
      throw new IOException("unexpected frame type " + type + " from the arbiter");
    }

    void release() {
      try {
        buf.clear().put(Frames.RELEASE).flip();
        Frames.writeFully(ch, buf);
        if (closed) {
          closeQuietly();
        } else {
          idle.offerFirst(this);
        }
      } catch (IOException e) {
        closeQuietly(); // the arbiter frees what a closed connection held
      }
    }

    void closeQuietly() {
      try {
        ch.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
  }

  private static final class Lease implements DeviceLease {
    private final Channel channel;
    private final long cap;
    private final AtomicBoolean released = new AtomicBoolean();

    Lease(Channel channel, long cap) {
      this.channel = channel;
      this.cap = cap;
    }

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        channel.release();
      }
    }

    @Override
    public long sliceCapNanos() {
      return cap;
    }
  }
}
