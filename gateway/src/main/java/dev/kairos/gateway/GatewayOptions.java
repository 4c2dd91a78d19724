package dev.kairos.gateway;

import dev.kairos.gateway.resilience.BreakerOptions;
import dev.kairos.gateway.resilience.RetryOptions;
import dev.kairos.gateway.route.ModelLimits;
import dev.kairos.sdk.replica.ReplicaToken;

/**
 * Settings of the public gateway.
 *
 * @param host interface to bind (default 127.0.0.1)
 * @param port port to bind; 0 picks a free one (default 8080)
 * @param maxBodyBytes larger request bodies are answered 413 (default 64 MiB)
 * @param maxConnectionsPerReplica pooled keep-alive connections to each replica from each event
 *     loop (default 64)
 * @param maxHeaderBytes request header block size beyond which the request is refused (431; default
 *     16 KiB)
 * @param maxConnections client connections held at once; more are closed on accept (default 10000)
 * @param eventLoops event-loop threads serving the port; 0 means one per core (default 0)
 * @param tls TLS on the public port, or null for plain HTTP (default null)
 * @param modelLimits bulkhead, queue and timeout of models that set none (default {@link
 *     ModelLimits#defaults()})
 * @param breaker per-replica circuit breaker (default {@link BreakerOptions#defaults()})
 * @param retry retries of requests that never reached a model (default {@link
 *     RetryOptions#defaults()})
 * @param replicaToken shown to replicas on every request forwarded or made to them, or null when
 *     replicas take requests without one (default null)
 */
public record GatewayOptions(
    String host,
    int port,
    long maxBodyBytes,
    int maxConnectionsPerReplica,
    int maxHeaderBytes,
    int maxConnections,
    int eventLoops,
    TlsOptions tls,
    ModelLimits modelLimits,
    BreakerOptions breaker,
    RetryOptions retry,
    ReplicaToken replicaToken) {
  public GatewayOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host is empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port = " + port + ", must be 0..65535");
    }
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes = " + maxBodyBytes + ", must be > 0");
    }
    if (maxConnectionsPerReplica < 1) {
      throw new IllegalArgumentException(
          "maxConnectionsPerReplica = " + maxConnectionsPerReplica + ", must be >= 1");
    }
    if (maxHeaderBytes < 1024) {
      throw new IllegalArgumentException(
          "maxHeaderBytes = " + maxHeaderBytes + ", must be >= 1024");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections = " + maxConnections + ", must be >= 1");
    }
    if (eventLoops < 0) {
      throw new IllegalArgumentException("eventLoops = " + eventLoops + ", must be >= 0");
    }
    java.util.Objects.requireNonNull(modelLimits, "modelLimits");
    java.util.Objects.requireNonNull(breaker, "breaker");
    java.util.Objects.requireNonNull(retry, "retry");
  }

  public static GatewayOptions defaults() {
    return new GatewayOptions(
        "127.0.0.1",
        8080,
        64L << 20,
        64,
        16 << 10,
        10_000,
        0,
        null,
        ModelLimits.defaults(),
        BreakerOptions.defaults(),
        RetryOptions.defaults(),
        null);
  }

  public GatewayOptions withPort(int v) {
    return with(c -> c.port = v);
  }

  public GatewayOptions withHost(String v) {
    return with(c -> c.host = v);
  }

  public GatewayOptions withMaxBodyBytes(long v) {
    return with(c -> c.maxBodyBytes = v);
  }

  public GatewayOptions withMaxConnectionsPerReplica(int v) {
    return with(c -> c.maxConnectionsPerReplica = v);
  }

  public GatewayOptions withMaxConnections(int v) {
    return with(c -> c.maxConnections = v);
  }

  public GatewayOptions withMaxHeaderBytes(int v) {
    return with(c -> c.maxHeaderBytes = v);
  }

  public GatewayOptions withEventLoops(int v) {
    return with(c -> c.eventLoops = v);
  }

  public GatewayOptions withTls(TlsOptions v) {
    return with(c -> c.tls = v);
  }

  public GatewayOptions withModelLimits(ModelLimits v) {
    return with(c -> c.modelLimits = v);
  }

  public GatewayOptions withBreaker(BreakerOptions v) {
    return with(c -> c.breaker = v);
  }

  public GatewayOptions withRetry(RetryOptions v) {
    return with(c -> c.retry = v);
  }

  public GatewayOptions withReplicaToken(ReplicaToken v) {
    return with(c -> c.replicaToken = v);
  }

  /** A mutable copy, so each {@code withX} names only the field it changes. */
  private static final class Copy {
    String host;
    int port;
    long maxBodyBytes;
    int maxConnectionsPerReplica;
    int maxHeaderBytes;
    int maxConnections;
    int eventLoops;
    TlsOptions tls;
    ModelLimits modelLimits;
    BreakerOptions breaker;
    RetryOptions retry;
    ReplicaToken replicaToken;

    Copy(GatewayOptions o) {
      host = o.host;
      port = o.port;
      maxBodyBytes = o.maxBodyBytes;
      maxConnectionsPerReplica = o.maxConnectionsPerReplica;
      maxHeaderBytes = o.maxHeaderBytes;
      maxConnections = o.maxConnections;
      eventLoops = o.eventLoops;
      tls = o.tls;
      modelLimits = o.modelLimits;
      breaker = o.breaker;
      retry = o.retry;
      replicaToken = o.replicaToken;
    }

    GatewayOptions build() {
      return new GatewayOptions(
          host,
          port,
          maxBodyBytes,
          maxConnectionsPerReplica,
          maxHeaderBytes,
          maxConnections,
          eventLoops,
          tls,
          modelLimits,
          breaker,
          retry,
          replicaToken);
    }
  }

  private GatewayOptions with(java.util.function.Consumer<Copy> change) {
    Copy c = new Copy(this);
    change.accept(c);
    return c.build();
  }
}
