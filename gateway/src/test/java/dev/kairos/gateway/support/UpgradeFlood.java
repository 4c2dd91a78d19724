package dev.kairos.gateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;

/**
 * A client that asks for an HTTP/1.1 to HTTP/2 cleartext upgrade ({@code Upgrade: h2c}) on a POST
 * whose chunked body is large, the way Java's default HttpClient sends a request to an http:// URL.
 * It records how much of the body the server took in and what the server answered.
 */
public final class UpgradeFlood implements AutoCloseable {
  private static final int CHUNK = 1 << 20;

  private final Socket socket;
  private final AtomicLong sent = new AtomicLong();
  private final StringBuffer answer = new StringBuffer();
  private volatile boolean writerDone;
  private volatile boolean readerDone;

  private UpgradeFlood(Socket socket) {
    this.socket = socket;
  }

  /** Starts sending {@code bodyBytes} of body to {@code path} on a loopback {@code port}. */
  public static UpgradeFlood start(
      int port, String path, String contentType, String authorization, long bodyBytes)
      throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    UpgradeFlood flood = new UpgradeFlood(s);
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\n"
            + "Host: 127.0.0.1:"
            + port
            + "\r\n"
            + "Connection: Upgrade, HTTP2-Settings\r\n"
            + "Upgrade: h2c\r\n"
            // SETTINGS_MAX_CONCURRENT_STREAMS=100, SETTINGS_INITIAL_WINDOW_SIZE=65535, base64url
            + "HTTP2-Settings: AAMAAABkAAQAAP__\r\n"
            + "Content-Type: "
            + contentType
            + "\r\n"
            + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
            + "Transfer-Encoding: chunked\r\n\r\n";
    Thread writer =
        new Thread(
            () -> {
              try {
                OutputStream out = s.getOutputStream();
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = new byte[CHUNK];
                byte[] size =
                    (Integer.toHexString(CHUNK) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
                while (flood.sent.get() < bodyBytes) {
                  out.write(size);
                  out.write(chunk);
                  out.write(crlf);
                  flood.sent.addAndGet(CHUNK);
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
              } catch (IOException closedByServer) {
                // the server refused the rest: what it took in is in sent
              } finally {
                flood.writerDone = true;
              }
            },
            "upgrade-flood-writer");
    writer.setDaemon(true);
    Thread reader =
        new Thread(
            () -> {
              try {
                InputStream in = s.getInputStream();
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) > 0) {
                  if (flood.answer.length() < 4096) {
                    flood.answer.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                  }
                }
              } catch (IOException reset) {
                // closed: the answer so far is kept
              } finally {
                flood.readerDone = true;
              }
            },
            "upgrade-flood-reader");
    reader.setDaemon(true);
    writer.start();
    reader.start();
    return flood;
  }

  /** Body bytes written so far (the server took them in, or they sit in socket buffers). */
  public long sent() {
    return sent.get();
  }

  /**
   * Waits until the writer finished or made no progress for a while (the server stopped reading).
   */
  public UpgradeFlood settle(Duration atMost) {
    long[] last = {-1};
    Awaitility.await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              long now = sent.get();
              boolean still = now == last[0];
              last[0] = now;
              return writerDone || still;
            });
    return this;
  }

  /** What the server wrote back (its first few KiB). */
  public String answer() {
    return answer.toString();
  }

  public boolean closedByServer() {
    return readerDone;
  }

  /** Heap in use after a full collection, in bytes. */
  public static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
