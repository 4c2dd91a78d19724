package dev.kairos.sdk.client;

import dev.kairos.sdk.client.InferenceException.ConnectionException;
import dev.kairos.sdk.client.InferenceException.InferenceTimeoutException;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.oip.OipJsonEncoder;
import dev.kairos.sdk.oip.OipPath;
import dev.kairos.sdk.tensor.Tensor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Calls models over the Open Inference Protocol v2 REST API: the Kairos gateway, or any OIP v2
 * server (Triton, KServe, Seldon MLServer). Uses {@code java.net.http} only; with {@code
 * kairos-sdk-grpc} on the class path a {@code grpc://host:port} URL calls over the protocol's gRPC
 * service instead (see {@link InferenceTransport}).
 *
 * <pre>{@code
 * try (InferenceClient client = InferenceClient.builder(URI.create("http://127.0.0.1:8080")).build()) {
 *   InferenceResponse r = client.infer("mlp", InferenceRequest.of(
 *       Tensor.ofFloats("features", new long[] {1, 16}, new float[16])));
 *   float[] scores = r.output("scores").orElseThrow().asFloatArray();
 * }
 * }</pre>
 *
 * <p>A 503 or 429 answer is retried (up to {@link CallOptions#maxRetries()}) after the delay its
 * {@code Retry-After} header asks for, within the call's timeout; other errors are thrown at once
 * as an {@link InferenceException} subclass carrying the server's message. Instances are
 * thread-safe; share one per server.
 */
public final class InferenceClient implements AutoCloseable {
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  private final URI base;
  private final HttpClient http;
  private final boolean ownsHttp;
  private final CallOptions defaults;
  private final Map<String, String> headers;
  private final Duration maxRetryDelay;
  private final Clock clock;

  /** Another transport than the built-in REST one (gRPC), or null. */
  private final InferenceTransport transport;

  private final OipJsonEncoder encoder = new OipJsonEncoder();
  private final OipJsonDecoder decoder = new OipJsonDecoder();

  private InferenceClient(Builder b) {
    String s = b.base.toString();
    this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    this.ownsHttp = b.http == null;
    this.http =
        b.http != null
            ? b.http
            : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    this.defaults = b.defaults;
    this.headers = Map.copyOf(b.headers);
    this.maxRetryDelay = b.maxRetryDelay;
    this.clock = b.clock;
    this.transport = b.transport != null ? b.transport : transportFor(b.base, b.headers);
  }

  /** The transport a provider on the class path offers for a non-HTTP scheme, or null for HTTP. */
  private static InferenceTransport transportFor(URI base, Map<String, String> headers) {
    String scheme = base.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (scheme.equals("http") || scheme.equals("https")) {
      return null;
    }
    for (InferenceTransport.Provider p :
        java.util.ServiceLoader.load(InferenceTransport.Provider.class)) {
      if (p.supports(scheme)) {
        return p.create(base, headers);
      }
    }
    throw new IllegalArgumentException(
        "baseUrl = '"
            + base
            + "': no transport for '"
            + scheme
            + "' (http, https; grpc with kairos-sdk-grpc on the class path)");
  }

  /** A client of the server at {@code baseUrl}, e.g. {@code http://127.0.0.1:8080}. */
  public static Builder builder(URI baseUrl) {
    return new Builder(baseUrl);
  }

  /**
   * Calls a model with the client's default options; see {@link #infer(String, InferenceRequest,
   * CallOptions)}.
   */
  public InferenceResponse infer(String model, InferenceRequest request) {
    return infer(model, request, defaults);
  }

  /**
   * Calls a model and waits for its answer.
   *
   * @throws InferenceException (a subclass naming the case) when the call fails
   */
  public InferenceResponse infer(String model, InferenceRequest request, CallOptions options) {
    try {
      return inferAsync(model, request, options).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof InferenceException ie) {
        throw ie;
      }
      throw e;
    }
  }

  public CompletableFuture<InferenceResponse> inferAsync(String model, InferenceRequest request) {
    return inferAsync(model, request, defaults);
  }

  /**
   * Calls a model without blocking.
   *
   * @return completes with the response, or fails with an {@link InferenceException}
   */
  public CompletableFuture<InferenceResponse> inferAsync(
      String model, InferenceRequest request, CallOptions options) {
    Objects.requireNonNull(options, "options");
    String what =
        "model '" + model + "'" + (options.version() == null ? "" : " v" + options.version());
    if (!OipPath.isValidName(model)
        || (options.version() != null && !OipPath.isValidName(options.version()))) {
      return CompletableFuture.failedFuture(
          InferenceException.of(400, "invalid model name or version", what));
    }
    OipJsonEncoder.Encoded body;
    try {
      body = encode(request, options.binary());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new InferenceException(
              0, null, what + ": cannot encode the request: " + e.getMessage(), e));
    }
    String path =
        "/v2/models/"
            + model
            + (options.version() == null ? "" : "/versions/" + options.version())
            + "/infer";
    Instant deadline = clock.instant().plus(options.timeout());
    if (transport != null) {
      return attemptVia(model, request, options, deadline, 0, what);
    }
    return attempt(URI.create(base + path), body, options, deadline, 0, what);
  }

  /** One attempt over the pluggable transport, with the same retries as over REST. */
  private CompletableFuture<InferenceResponse> attemptVia(
      String model,
      InferenceRequest request,
      CallOptions options,
      Instant deadline,
      int attempt,
      String what) {
    Duration left = Duration.between(clock.instant(), deadline);
    if (left.isNegative() || left.isZero()) {
      return CompletableFuture.failedFuture(
          new InferenceTimeoutException(
              0, null, what + ": no answer within " + options.timeout(), null));
    }
    return transport
        .infer(model, options.version(), request, options.binary(), left)
        .handle(
            (answer, err) -> {
              if (err != null) {
                return CompletableFuture.<InferenceResponse>failedFuture(
                    transportFailure(err, options, what));
              }
              if (answer.status() == 200) {
                return CompletableFuture.completedFuture(answer.response());
              }
              return retryOrFail(
                  answer.status(),
                  answer.error(),
                  answer.retryAfter(),
                  attempt,
                  options,
                  deadline,
                  what,
                  () -> attemptVia(model, request, options, deadline, attempt + 1, what));
            })
        .thenCompose(f -> f);
  }

  /** A 503 or 429 is retried after its Retry-After while the deadline allows; others fail. */
  private CompletableFuture<InferenceResponse> retryOrFail(
      int status,
      String message,
      String retryAfter,
      int attempt,
      CallOptions options,
      Instant deadline,
      String what,
      java.util.function.Supplier<CompletableFuture<InferenceResponse>> again) {
    if ((status == 503 || status == 429) && attempt < options.maxRetries()) {
      Duration delay = RetryAfter.parse(retryAfter, backoff(attempt), clock.instant());
      if (delay.compareTo(maxRetryDelay) > 0) {
        delay = maxRetryDelay;
      }
      if (clock.instant().plus(delay).isBefore(deadline)) {
        return CompletableFuture.supplyAsync(
                () -> null,
                CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS))
            .thenCompose(x -> again.get());
      }
    }
    return CompletableFuture.failedFuture(InferenceException.of(status, message, what));
  }

  /**
   * Streams a generation from a text-generation model: each event goes to {@code onEvent} as the
   * server sends it (on the HTTP client's thread, one at a time). The client's timeout bounds the
   * stream's silences, not its length. Cancel the returned stream to stop it on the server.
   *
   * @throws UnsupportedOperationException for a client over another transport than HTTP
   */
  public dev.kairos.sdk.generate.GenerationStream generate(
      dev.kairos.sdk.generate.GenerationRequest request,
      java.util.function.Consumer<dev.kairos.sdk.generate.GenerationEvent> onEvent) {
    if (transport != null) {
      throw new UnsupportedOperationException(
          "streamed generation is served over HTTP; this client uses " + base.getScheme());
    }
    return dev.kairos.sdk.generate.GenerationStream.start(
        http, base, headers, request, defaults.timeout(), onEvent);
  }

  /** Whether the model answers ready ({@code GET /v2/models/{model}/ready} is 200). */
  public boolean isModelReady(String model) {
    if (transport != null) {
      return transport.isModelReady(model, defaults.timeout());
    }
    return get("/v2/models/" + model + "/ready") == 200;
  }

  /** Whether the server is live ({@code GET /v2/health/live} is 200). */
  public boolean isServerLive() {
    if (transport != null) {
      return transport.isServerLive(defaults.timeout());
    }
    return get("/v2/health/live") == 200;
  }

  private int get(String path) {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(defaults.timeout()).GET();
    headers.forEach(r::header);
    try {
      return http.send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  private OipJsonEncoder.Encoded encode(InferenceRequest request, boolean binary) {
    if (!binary) {
      return encoder.encodeRequest(request, Set.of());
    }
    Set<String> names = new HashSet<>();
    for (Tensor t : request.inputs()) {
      names.add(t.name());
    }
    Map<String, Object> params = new LinkedHashMap<>(request.parameters());
    params.put("binary_data_output", true);
    return encoder.encodeRequest(
        new InferenceRequest(request.id(), params, request.inputs(), request.outputs()), names);
  }

  private CompletableFuture<InferenceResponse> attempt(
      URI uri,
      OipJsonEncoder.Encoded body,
      CallOptions options,
      Instant deadline,
      int attempt,
      String what) {
    Duration left = Duration.between(clock.instant(), deadline);
    if (left.isNegative() || left.isZero()) {
      return CompletableFuture.failedFuture(
          new InferenceTimeoutException(
              0, null, what + ": no answer within " + options.timeout(), null));
    }
    HttpRequest.Builder r =
        HttpRequest.newBuilder(uri)
            .timeout(left)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.body()));
    headers.forEach(r::header);
    if (body.hasBinary()) {
      r.header("Content-Type", "application/octet-stream");
      r.header(HEADER_LENGTH, Integer.toString(body.jsonLength()));
    } else {
      r.header("Content-Type", "application/json");
    }
    return http.sendAsync(r.build(), HttpResponse.BodyHandlers.ofByteArray())
        .handle(
            (resp, err) -> {
              if (err != null) {
                return CompletableFuture.<InferenceResponse>failedFuture(
                    transportFailure(err, options, what));
              }
              int status = resp.statusCode();
              if (status == 200) {
                return decode(resp, what);
              }
              return retryOrFail(
                  status,
                  decoder.decodeError(resp.body()),
                  resp.headers().firstValue("Retry-After").orElse(null),
                  attempt,
                  options,
                  deadline,
                  what,
                  () -> attempt(uri, body, options, deadline, attempt + 1, what));
            })
        .thenCompose(f -> f);
  }

  private CompletableFuture<InferenceResponse> decode(HttpResponse<byte[]> resp, String what) {
    try {
      byte[] bytes = resp.body();
      int jsonLength =
          resp.headers().firstValue(HEADER_LENGTH).map(Integer::parseInt).orElse(bytes.length);
      return CompletableFuture.completedFuture(decoder.decodeResponse(bytes, jsonLength));
    } catch (InvalidInputException | NumberFormatException e) {
      return CompletableFuture.failedFuture(
          new InferenceException(
              200,
              null,
              what + ": the server's answer is not an OIP response: " + e.getMessage(),
              e));
    }
  }

  private static Duration backoff(int attempt) {
    return Duration.ofMillis(100L << Math.min(attempt, 6));
  }

  private static InferenceException transportFailure(
      Throwable err, CallOptions options, String what) {
    Throwable t =
        err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    if (t instanceof HttpTimeoutException && !(t instanceof HttpConnectTimeoutException)) {
      return new InferenceTimeoutException(
          0, null, what + ": no answer within " + options.timeout(), t);
    }
    if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException) {
      return new ConnectionException(what + ": cannot connect: " + t, t);
    }
    return new ConnectionException(what + ": " + t, t);
  }

  @Override
  public void close() {
    if (transport != null) {
      transport.close();
    }
    if (ownsHttp && http instanceof AutoCloseable c) {
      // HttpClient is AutoCloseable from Java 21; on 17 its threads end when it is unreachable.
      try {
        c.close();
      } catch (Exception ignored) {
        // closing is best effort
      }
    }
  }

  /** Builds an {@link InferenceClient}. */
  public static final class Builder {
    private final URI base;
    private HttpClient http;
    private CallOptions defaults = CallOptions.defaults();
    private final Map<String, String> headers = new HashMap<>();
    private Duration maxRetryDelay = Duration.ofSeconds(10);
    private Clock clock = Clock.systemUTC();
    private InferenceTransport transport;

    private Builder(URI base) {
      this.base = Objects.requireNonNull(base, "baseUrl");
      if (base.getScheme() == null || base.getHost() == null) {
        throw new IllegalArgumentException(
            "baseUrl = '" + base + "', expected e.g. http://host:8080");
      }
    }

    /** The HTTP client to use (default: a new HTTP/1.1 client with a 10 s connect timeout). */
    public Builder httpClient(HttpClient client) {
      this.http = Objects.requireNonNull(client);
      return this;
    }

    /** Options of calls that pass none (default {@link CallOptions#defaults()}). */
    public Builder defaults(CallOptions options) {
      this.defaults = Objects.requireNonNull(options);
      return this;
    }

    /** A header sent with every call, e.g. {@code Authorization} (default: none). */
    public Builder header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    /** The longest a {@code Retry-After} is honoured before retrying anyway (default 10 s). */
    public Builder maxRetryDelay(Duration max) {
      if (max.isNegative()) {
        throw new IllegalArgumentException("maxRetryDelay = " + max + ", must be >= 0");
      }
      this.maxRetryDelay = max;
      return this;
    }

    /**
     * The clock deadlines and HTTP-date {@code Retry-After} values are read against (default UTC).
     */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c);
      return this;
    }

    /**
     * Calls over this transport instead of REST (default: REST for http and https URLs, else the
     * transport a {@link InferenceTransport.Provider} on the class path offers for the scheme, e.g.
     * gRPC for {@code grpc://host:8081}). The client closes it.
     */
    public Builder transport(InferenceTransport t) {
      this.transport = Objects.requireNonNull(t);
      return this;
    }

    public InferenceClient build() {
      return new InferenceClient(this);
    }
  }
}
