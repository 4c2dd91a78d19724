package dev.kairos.multiplexer.arbiter.uds;

import dev.kairos.multiplexer.arbiter.Arbiter;
import dev.kairos.multiplexer.arbiter.SliceRequest;
import dev.kairos.multiplexer.arbiter.policy.PendingSlice;
import dev.kairos.multiplexer.arbiter.policy.SlicePolicy;
import dev.kairos.sdk.time.Clock;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device's arbiter served on a Unix domain socket: a thread per connected runtime reads its
 * requests and hands them to the {@link Arbiter}; grants and rejections are written back to the
 * connection that asked. A runtime whose connection closes loses what it held or waited for.
 */
public final class ArbiterServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ArbiterServer.class);

  private final Path socket;
  private final Arbiter arbiter;
  private final Clock clock;
  private final ServerSocketChannel server;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private final ProcessSignals signals;
  private volatile boolean closed;

  private ArbiterServer(
      Path socket,
      String device,
      SlicePolicy policy,
      Clock clock,
      boolean admissionControl,
      long preemptionLimitNanos)
      throws IOException {
    this.socket = socket;
    this.clock = clock;
    this.signals = preemptionLimitNanos > 0 ? new ProcessSignals() : null;
    this.arbiter =
        new Arbiter(device, policy, clock, admissionControl, preemptionLimitNanos, new Replies());
    Files.deleteIfExists(socket);
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    this.acceptor = new Thread(this::acceptLoop, "arbiter-" + device + "-accept");
    acceptor.setDaemon(true);
  }

  /**
   * Binds {@code socket} (replacing a stale socket file) and starts accepting runtimes.
   *
   * @param device the device's id, for logs and rejection messages
   */
  public static ArbiterServer start(
      Path socket, String device, SlicePolicy policy, Clock clock, boolean admissionControl)
      throws IOException {
    return start(socket, device, policy, clock, admissionControl, 0);
  }

  /**
   * Binds {@code socket} for a device that can preempt: runtime processes on it (CPU cores) are
   * suspended while a slice the policy lets preempt them runs.
   *
   * @param preemptionLimitNanos the longest a runtime stays suspended; 0 for no preemption
   */
  public static ArbiterServer start(
      Path socket,
      String device,
      SlicePolicy policy,
      Clock clock,
      boolean admissionControl,
      long preemptionLimitNanos)
      throws IOException {
    ArbiterServer s =
        new ArbiterServer(socket, device, policy, clock, admissionControl, preemptionLimitNanos);
    s.acceptor.start();
    log.info(
        "device={} arbiter listening on {} (policy {}, admission control {}, preemption {})",
        device,
        socket,
        policy.name(),
        admissionControl ? "on" : "off",
        preemptionLimitNanos > 0 ? "up to " + preemptionLimitNanos / 1_000_000 + " ms" : "off");
    return s;
  }

  public Path socket() {
    return socket;
  }

  public Arbiter arbiter() {
    return arbiter;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        SocketChannel ch = server.accept();
        Connection c = new Connection(ch);
        connections.add(c);
        Thread t = new Thread(c::serve, "arbiter-" + arbiter.device() + "-conn");
        t.setDaemon(true);
        t.start();
      } catch (AsynchronousCloseException e) {
        return;
      } catch (IOException e) {
        if (!closed) {
          log.warn("device={} arbiter accept failed: {}", arbiter.device(), e.toString());
        }
        return;
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Connection c : connections) {
      c.closeQuietly();
    }
    if (signals != null) {
      signals.close();
    }
    try {
      Files.deleteIfExists(socket);
    } catch (IOException ignored) {
      // a stale socket file is replaced on the next start
    }
  }

  private final class Replies implements Arbiter.Listener {
    @Override
    public void granted(PendingSlice slice, long sliceCapNanos) {
      Connection c = (Connection) slice.owner();
      c.reply(c.out.clear().put(Frames.GRANT).putLong(sliceCapNanos).flip());
    }

    @Override
    public void rejected(PendingSlice slice, String reason) {
      Connection c = (Connection) slice.owner();
      byte[] text = reason.getBytes(StandardCharsets.UTF_8);
      int n = Math.min(text.length, Frames.MAX_TEXT);
      c.reply(c.out.clear().put(Frames.REJECT).putShort((short) n).put(text, 0, n).flip());
      c.current = -1;
    }

    @Override
    public void suspended(PendingSlice slice) {
      if (signals != null) {
        signals.stop(((Connection) slice.owner()).pid);
      }
    }

    @Override
    public void resumed(PendingSlice slice) {
      if (signals != null) {
        signals.resume(((Connection) slice.owner()).pid);
      }
    }
  }

  private final class Connection {
    final SocketChannel ch;
    final ByteBuffer in = ByteBuffer.allocateDirect(64 + Frames.MAX_TEXT);
    final ByteBuffer out = ByteBuffer.allocateDirect(16 + Frames.MAX_TEXT);
    volatile long current = -1;
    volatile long pid = -1;

    Connection(SocketChannel ch) {
      this.ch = ch;
    }

    void serve() {
      try {
        while (true) {
          Frames.readFully(ch, in, 1);
          byte type = in.get();
          if (type == Frames.ACQUIRE) {
            Frames.readFully(ch, in, 8 + 4 + 8 + 2);
            long estimated = in.getLong();
            int priority = in.getInt();
            long deadlineIn = in.getLong();
            int len = Short.toUnsignedInt(in.getShort());
            if (len > Frames.MAX_TEXT) {
              throw new IOException("model name of " + len + " bytes");
            }
            Frames.readFully(ch, in, len);
            byte[] name = new byte[len];
            in.get(name);
            long deadline = deadlineIn < 0 ? Long.MAX_VALUE : clock.monotonicNanos() + deadlineIn;
            current =
                arbiter.submit(
                    new SliceRequest(
                        new String(name, StandardCharsets.UTF_8), estimated, priority, deadline),
                    this);
          } else if (type == Frames.HELLO) {
            Frames.readFully(ch, in, 8);
            pid = in.getLong();
          } else if (type == Frames.RELEASE) {
            long id = current;
            current = -1;
            arbiter.release(id);
          } else {
            throw new IOException("unknown frame type " + type);
          }
        }
      } catch (EOFException | AsynchronousCloseException e) {
        // the runtime went away
      } catch (IOException e) {
        log.warn("device={} arbiter connection dropped: {}", arbiter.device(), e.toString());
      } finally {
        arbiter.abandon(this);
        connections.remove(this);
        closeQuietly();
      }
    }

    /** Called under the arbiter's lock, from whichever thread made the decision. */
    void reply(ByteBuffer frame) {
      try {
        Frames.writeFully(ch, frame);
      } catch (IOException e) {
        closeQuietly();
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
}
