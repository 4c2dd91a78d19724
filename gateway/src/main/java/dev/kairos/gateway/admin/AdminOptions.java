package dev.kairos.gateway.admin;

/**
 * Settings of the admin port.
 *
 * @param host interface to bind (default 127.0.0.1: the admin API is not for the network)
 * @param port port to bind; 0 picks a free one (default 8082; 8081 is the gateway's gRPC port)
 * @param maxBodyBytes larger bodies of the built-in endpoints are answered 413 (default 1 MiB)
 */
public record AdminOptions(String host, int port, long maxBodyBytes) {
  public AdminOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("admin host is empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("admin port = " + port + ", must be 0..65535");
    }
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("admin maxBodyBytes = " + maxBodyBytes + ", must be > 0");
    }
  }

  public static AdminOptions defaults() {
    return new AdminOptions("127.0.0.1", 8082, 1L << 20);
  }

  public AdminOptions withPort(int newPort) {
    return new AdminOptions(host, newPort, maxBodyBytes);
  }

  public AdminOptions withHost(String newHost) {
    return new AdminOptions(newHost, port, maxBodyBytes);
  }
}
