package dev.kairos.multiplexer.arbiter.uds;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The arbiter's wire format on its Unix domain socket; big-endian, one request in flight per
 * connection.
 *
 * <pre>
 * client → server  ACQUIRE  0x01 estimatedNanos:i64 priority:i32 deadlineInNanos:i64 (-1: none)
 *                           modelLength:u16 model:utf8
 *                  RELEASE  0x02
 *                  HELLO    0x05 pid:i64   (first frame; lets a CPU device's arbiter preempt it)
 * server → client  GRANT    0x03 sliceCapNanos:i64
 *                  REJECT   0x04 reasonLength:u16 reason:utf8
 * </pre>
 *
 * Deadlines travel as time remaining, so the two processes need not share a clock origin.
 */
final class Frames {
  static final byte ACQUIRE = 1;
  static final byte RELEASE = 2;
  static final byte GRANT = 3;
  static final byte REJECT = 4;
  static final byte HELLO = 5;
  static final int MAX_TEXT = 4096;

  private Frames() {}

  static void readFully(ReadableByteChannel ch, ByteBuffer buf, int n) throws IOException {
    buf.clear().limit(n);
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) {
        throw new EOFException("arbiter connection closed");
      }
    }
    buf.flip();
  }

  static void writeFully(WritableByteChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }
}
