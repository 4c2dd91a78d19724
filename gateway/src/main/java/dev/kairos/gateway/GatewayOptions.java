package dev.kairos.gateway;

import java.time.Duration;

/**
 * Settings of the public gateway.
 *
 * @param host interface to bind (default 127.0.0.1)
 * @param port port to bind; 0 picks a free one (default 8080)
 * @param maxBodyBytes larger request bodies are answered 413 (default 64 MiB)
 * @param requestTimeout a replica that has not answered by then is answered 504 (default 60s)
 * @param maxConnectionsPerReplica pooled keep-alive connections to each replica (default 64)
 */
public record GatewayOptions(
    String host,
    int port,
    long maxBodyBytes,
    Duration requestTimeout,
    int maxConnectionsPerReplica) {
  public static GatewayOptions defaults() {
    return new GatewayOptions("127.0.0.1", 8080, 64L << 20, Duration.ofSeconds(60), 64);
  }

  public GatewayOptions withPort(int newPort) {
    return new GatewayOptions(
        host, newPort, maxBodyBytes, requestTimeout, maxConnectionsPerReplica);
  }

  public GatewayOptions withHost(String newHost) {
    return new GatewayOptions(
        newHost, port, maxBodyBytes, requestTimeout, maxConnectionsPerReplica);
  }
}
