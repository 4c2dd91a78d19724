package dev.kairos.gateway.impl;

import dev.kairos.gateway.GatewayOptions;
import dev.kairos.gateway.auth.ApiKey;
import dev.kairos.gateway.auth.ApiKeyStore;
import dev.kairos.gateway.auth.Credentials;
import dev.kairos.gateway.metrics.GatewayMetrics;
import dev.kairos.gateway.metrics.GatewayMetrics.Rejection;
import dev.kairos.gateway.protocol.DjlPredictions;
import dev.kairos.gateway.protocol.KServeV1;
import dev.kairos.gateway.protocol.OpenAi;
import dev.kairos.gateway.protocol.Translation;
import dev.kairos.gateway.resilience.ModelGate;
import dev.kairos.gateway.resilience.RetryBudget;
import dev.kairos.gateway.route.ModelLimits;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.OipJsonEncoder;
import dev.kairos.sdk.oip.OipPath;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public port's front door: server endpoints, then for model requests authentication, rate
 * limit, route lookup, size limit and the model's bulkhead, before {@link Forwarder} takes over.
 * OIP v2 bodies (and Triton's generate extension) pass unparsed; KServe v1 and DJL Serving bodies
 * are translated; OpenAI bodies are read for their {@code model} and forwarded unchanged.
 */
public final class GatewayHandler implements Handler<HttpServerRequest> {
  private static final Logger log = LoggerFactory.getLogger(GatewayHandler.class);
  static final String TIMEOUT_HEADER = "Kairos-Timeout-Ms";
  private static final byte[] LIVE = "{\"live\":true}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] READY = "{\"ready\":true}".getBytes(StandardCharsets.UTF_8);

  /** Bodies up to this size are read whole (so a refused send can be retried); larger stream. */
  static final long BUFFERED_BODY_LIMIT = 256 * 1024;

  private final RouteTable routes;
  private final GatewayOptions options;
  private final ApiKeyStore keys;
  private final RateLimits rateLimits;
  private final GatewayMetrics metrics;
  private final Clock time;
  private final Vertx vertx;
  private final Forwarder forwarder;
  private final OipJsonEncoder encoder = new OipJsonEncoder();
  private final byte[] serverMetadata;
  private final Translation kserveV1 = new KServeV1();
  private final Translation djl = new DjlPredictions();

  public GatewayHandler(
      Vertx vertx,
      RouteTable routes,
      io.vertx.core.http.HttpClient client,
      GatewayOptions options,
      ApiKeyStore keys,
      GatewayMetrics metrics,
      Clock time,
      Supplier<? extends RandomGenerator> random) {
    this(vertx, routes, client, options, keys, metrics, time, random, null);
  }

  /**
   * @param random the calling thread's random source (asked per request: event loops must not share
   *     one, it is not thread-safe)
   * @param activator holds requests for models without a ready replica; null answers them 503
   */
  public GatewayHandler(
      Vertx vertx,
      RouteTable routes,
      io.vertx.core.http.HttpClient client,
      GatewayOptions options,
      ApiKeyStore keys,
      GatewayMetrics metrics,
      Clock time,
      Supplier<? extends RandomGenerator> random,
      dev.kairos.gateway.activator.Activator activator) {
    this.vertx = vertx;
    this.routes = routes;
    this.options = options;
    this.keys = keys;
    this.metrics = metrics;
    this.time = time;
    this.rateLimits = new RateLimits(time);
    ReplicaChooser chooser =
        new ReplicaChooser(
            random, new dev.kairos.gateway.resilience.Breakers(options.breaker(), time));
    this.forwarder =
        new Forwarder(
            this,
            client,
            chooser,
            new RetryBudget(options.retry(), time),
            options,
            metrics,
            time,
            new InputsCache(client, options.replicaToken()),
            activator);
    String v = GatewayHandler.class.getPackage().getImplementationVersion();
    this.serverMetadata =
        encoder.encodeServerMetadata(
            "kairos", v == null ? "dev" : v, List.of("binary_tensor_data"));
  }

  @Override
  public void handle(HttpServerRequest req) {
    String path = req.path();
    if (path.startsWith("/v2/models/")) {
      oip(req, path);
      return;
    }
    switch (path) {
      case "/v2/health/live" -> send(req, 200, LIVE);
      case "/v2/health/ready" -> ready(req);
      case "/v2" -> send(req, 200, serverMetadata);
      case OpenAi.COMPLETIONS, OpenAi.CHAT_COMPLETIONS -> openAi(req);
      case OpenAi.MODELS -> openAiModels(req);
      case "/metrics" ->
          req.response()
              .putHeader("Content-Type", metrics.contentType())
              .end(Buffer.buffer(metrics.scrape()));
      default -> {
        if (path.startsWith("/v1/models/")) {
          kserveV1(req, path);
        } else if (path.startsWith("/predictions/")) {
          djl(req, path);
        } else {
          error(req, 404, "no route for " + req.method() + " " + path);
        }
      }
    }
  }

  private void ready(HttpServerRequest req) {
    for (ModelRoute m : routes.all()) {
      if (m.state() == ModelRoute.State.LOADING) {
        error(req, 503, "model '" + m.name() + "' is still loading");
        return;
      }
    }
    send(req, 200, READY);
  }

  private void oip(HttpServerRequest req, String path) {
    OipPath p;
    try {
      p = OipPath.parse(path);
    } catch (InvalidInputException e) {
      error(req, 400, e.getMessage());
      return;
    }
    if (p == null) {
      error(req, 404, "no route for " + req.method() + " " + path);
      return;
    }
    if (p.op() == OipPath.Op.READY) {
      modelReady(req, p.model(), p.version());
      return;
    }
    boolean generate = p.op() == OipPath.Op.GENERATE || p.op() == OipPath.Op.GENERATE_STREAM;
    if (generate && !generates(req, p.model())) {
      return;
    }
    Exchange ex = new Exchange(req, time.monotonicNanos(), p.model(), p.version(), null);
    ex.upstreamUri = req.uri();
    ex.stream = p.op() == OipPath.Op.GENERATE_STREAM;
    begin(ex);
  }

  /**
   * {@code GET /v2/models/{m}[/versions/{v}]/ready}, answered from the route: no replica is asked
   * and a model at zero replicas is not woken (see {@link ModelRoute#readiness}).
   */
  private void modelReady(HttpServerRequest req, String model, String version) {
    if (!authorized(req, model)) {
      return;
    }
    ModelRoute route = routes.find(model);
    if (route == null) {
      error(req, 404, "unknown model '" + model + "'");
      return;
    }
    switch (route.readiness(version)) {
      case READY ->
          send(
              req,
              200,
              ("{\"name\":\"" + model + "\",\"ready\":true}").getBytes(StandardCharsets.UTF_8));
      case NO_SUCH_VERSION ->
          error(req, 404, "model '" + model + "' has no version '" + version + "'");
      case LOADING -> {
        req.response().putHeader("Retry-After", "1");
        error(req, 503, "model '" + model + "' is still loading");
      }
      case FAILED -> {
        req.response().putHeader("Retry-After", "1");
        error(req, 503, "model '" + model + "' failed to load: " + route.reason());
      }
    }
  }

  /**
   * {@code POST /v1/completions} and {@code /v1/chat/completions}: the model is named by the body's
   * {@code model}, so the body (bounded by the body limit) is read first; the request then takes
   * the same way as every other, and its body goes to the replica unchanged.
   */
  private void openAi(HttpServerRequest req) {
    if (req.method() != HttpMethod.POST) {
      error(req, 405, req.path() + " takes POST, got " + req.method());
      return;
    }
    String secret = Credentials.secret(req);
    if (keys.enforced() && (secret == null || keys.current().find(secret) == null)) {
      // Refused before the body is read: an unknown caller costs no copy of it.
      authorized(req, "");
      return;
    }
    long start = time.monotonicNanos();
    long length = contentLength(req);
    if (length > options.maxBodyBytes()) {
      metrics.rejected(null, Rejection.TOO_LARGE);
      req.response().putHeader("Connection", "close");
      error(req, 413, "request body exceeds " + options.maxBodyBytes() + " bytes");
      return;
    }
    Buffer acc = Buffer.buffer(length > 0 ? (int) length : 1024);
    boolean[] refused = {false};
    req.handler(
        chunk -> {
          if (refused[0]) {
            return;
          }
          if (acc.length() + chunk.length() > options.maxBodyBytes()) {
            refused[0] = true;
            metrics.rejected(null, Rejection.TOO_LARGE);
            req.response().putHeader("Connection", "close");
            error(req, 413, "request body exceeds " + options.maxBodyBytes() + " bytes");
            return;
          }
          acc.appendBuffer(chunk);
        });
    req.exceptionHandler(err -> log.debug("{} body read failed: {}", req.path(), err.toString()));
    req.endHandler(
        v -> {
          if (refused[0]) {
            return;
          }
          OpenAi.Request asked;
          try {
            asked = OpenAi.read(acc.getBytes());
          } catch (InvalidInputException e) {
            error(req, 400, e.getMessage());
            return;
          }
          String model = asked.model();
          if (!OipPath.isValidName(model)) {
            error(req, 400, "invalid model name '" + printable(model) + "'");
            return;
          }
          if (!generates(req, model)) {
            return;
          }
          Exchange ex = new Exchange(req, start, model, null, null);
          ex.upstreamUri = req.uri();
          ex.body = acc;
          ex.stream = asked.stream();
          begin(ex);
        });
  }

  /**
   * False, after answering, when a known model does not generate text: asking a tensor model for a
   * completion is the caller's mistake, and must not wake it at zero replicas. Unknown models go on
   * to the usual 404 (after authentication, so a caller learns nothing of models it may not call).
   */
  private boolean generates(HttpServerRequest req, String model) {
    ModelRoute route = routes.find(model);
    if (route == null || route.generative()) {
      return true;
    }
    if (authorized(req, model)) {
      error(
          req,
          400,
          "model '"
              + model
              + "' does not generate text (no task: text-generation); call it at /v2/models/"
              + model
              + "/infer");
    }
    return false;
  }

  /**
   * {@code GET /v1/models}: the text-generation models of the route table, as OpenAI lists them;
   * with API keys on, those the caller's key may call.
   */
  private void openAiModels(HttpServerRequest req) {
    if (req.method() != HttpMethod.GET) {
      error(req, 405, "use GET for /v1/models");
      return;
    }
    ApiKey key = null;
    if (keys.enforced()) {
      String secret = Credentials.secret(req);
      key = secret == null ? null : keys.current().find(secret);
      if (key == null) {
        authorized(req, "");
        return;
      }
    }
    List<String> names = new java.util.ArrayList<>();
    for (ModelRoute m : routes.all()) {
      if (m.generative()
          && m.state() != ModelRoute.State.FAILED
          && (key == null || key.mayInfer(m.name()))) {
        names.add(m.name());
      }
    }
    names.sort(null);
    send(req, 200, OpenAi.models(names));
  }

  /** {@code POST /v1/models/{m}:predict}, and {@code GET /v1/models/{m}} (readiness). */
  private void kserveV1(HttpServerRequest req, String path) {
    String rest = path.substring("/v1/models/".length());
    boolean predict = rest.endsWith(":predict");
    String model = predict ? rest.substring(0, rest.length() - ":predict".length()) : rest;
    if (!OipPath.isValidName(model)) {
      error(req, 400, "invalid model name '" + printable(model) + "'");
      return;
    }
    if (!predict) {
      if (!authorized(req, model)) {
        return;
      }
      ModelRoute route = routes.find(model);
      if (route == null) {
        error(req, 404, "unknown model '" + model + "'");
        return;
      }
      boolean ready = route.state() == ModelRoute.State.READY;
      send(
          req,
          200,
          ("{\"name\":\"" + model + "\",\"ready\":" + ready + "}")
              .getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (req.method() != HttpMethod.POST) {
      error(req, 405, "use POST for :predict");
      return;
    }
    begin(new Exchange(req, time.monotonicNanos(), model, null, kserveV1));
  }

  /** {@code POST /predictions/{m}[/{v}]} as DJL Serving answers it. */
  private void djl(HttpServerRequest req, String path) {
    String[] parts = path.substring("/predictions/".length()).split("/", -1);
    if (parts.length > 2) {
      error(req, 404, "no route for " + req.method() + " " + path);
      return;
    }
    String model = parts[0];
    String version = parts.length == 2 ? parts[1] : null;
    if (!OipPath.isValidName(model) || (version != null && !OipPath.isValidName(version))) {
      error(req, 400, "invalid model name or version in '" + printable(path) + "'");
      return;
    }
    if (req.method() != HttpMethod.POST) {
      error(req, 405, "use POST for /predictions");
      return;
    }
    begin(new Exchange(req, time.monotonicNanos(), model, version, djl));
  }

  /** Authentication, rate limit, route, limits and body; then the bulkhead. */
  private void begin(Exchange ex) {
    HttpServerRequest req = ex.req;
    if (!authorized(req, ex.model)) {
      return;
    }
    ModelRoute route = routes.find(ex.model);
    if (route == null) {
      error(req, 404, "unknown model '" + ex.model + "'");
      return;
    }
    ex.route = route;
    if (route.state() == ModelRoute.State.FAILED) {
      finish(ex, 503, "model '" + ex.model + "' failed to load: " + route.reason(), "1");
      return;
    }
    ModelLimits limits = route.limits();
    ex.limits = limits == null ? options.modelLimits() : limits;
    ex.timeoutMs = ex.limits.timeout().toMillis();
    String asked = req.getHeader(TIMEOUT_HEADER);
    if (asked != null) {
      try {
        ex.timeoutMs = Long.parseLong(asked.trim());
        if (ex.timeoutMs < 1) {
          throw new NumberFormatException();
        }
        ex.deadlineAsked = true;
      } catch (NumberFormatException e) {
        finish(ex, 400, TIMEOUT_HEADER + " = '" + asked + "', must be a positive integer", null);
        return;
      }
    }
    long length = contentLength(req);
    if (length > options.maxBodyBytes()) {
      tooLarge(ex);
      return;
    }
    if (ex.body != null) {
      // Read already, to learn the model (the OpenAI API names it in the body).
      if (route.full()) {
        refuseFull(ex);
      } else {
        admit(ex);
      }
    } else if (req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD) {
      ex.body = Buffer.buffer();
      admit(ex);
    } else if (route.full()) {
      // Before the body is read: a refusal under overload costs no copy of it, here or at a
      // replica, and takes no time from the requests the replicas are running.
      refuseFull(ex);
    } else if (ex.translation == null && length > BUFFERED_BODY_LIMIT) {
      req.pause();
      admit(ex);
    } else {
      readBody(ex, length);
    }
  }

  private boolean authorized(HttpServerRequest req, String model) {
    Refusal r = admission(Credentials.secret(req), model);
    if (r == null) {
      return true;
    }
    if (r.status() == 401) {
      req.response().putHeader("WWW-Authenticate", "Bearer");
    }
    if (r.retryAfter() != null) {
      req.response().putHeader("Retry-After", r.retryAfter());
    }
    error(req, r.status(), r.message());
    return false;
  }

  /** Why a call is refused before it reaches a model: the status and message REST answers. */
  record Refusal(int status, String message, String retryAfter) {}

  /**
   * Authentication, the model scope of the key and the key's rate limit, for any protocol.
   *
   * @param secret the API key the call carries, or null
   * @return null when the call may go on
   */
  Refusal admission(String secret, String model) {
    if (!keys.enforced()) {
      return null;
    }
    ApiKey key = secret == null ? null : keys.current().find(secret);
    if (key == null) {
      metrics.rejected(null, Rejection.UNAUTHENTICATED);
      return new Refusal(401, secret == null ? "missing API key" : "unknown API key", null);
    }
    if (!key.mayInfer(model)) {
      metrics.rejected(null, Rejection.FORBIDDEN);
      return new Refusal(
          403, "API key '" + key.name() + "' may not call model '" + model + "'", null);
    }
    long wait = rateLimits.tryAcquire(key);
    if (wait > 0) {
      metrics.rejected(model, Rejection.RATE_LIMITED);
      return new Refusal(429, "API key '" + key.name() + "' is over its rate limit", seconds(wait));
    }
    return null;
  }

  /**
   * A call that came in over another protocol (gRPC), already authenticated by {@link #admission}:
   * route, the model's limits, its deadline and bulkhead, then the forwarder; its answer goes to
   * {@link Exchange.RemoteCall}.
   *
   * @param timeoutMs the caller's own deadline in milliseconds, or 0 for the model's default
   */
  void call(
      Exchange.RemoteCall call,
      String model,
      String version,
      String uri,
      Buffer body,
      long timeoutMs) {
    Exchange ex = new Exchange(call, time.monotonicNanos(), model, version);
    ex.upstreamUri = uri;
    ex.body = body;
    ModelRoute route = routes.find(model);
    if (route == null) {
      call.refuse(404, "unknown model '" + model + "'", null);
      completed(ex, 404);
      return;
    }
    ex.route = route;
    if (route.state() == ModelRoute.State.FAILED) {
      finish(ex, 503, "model '" + model + "' failed to load: " + route.reason(), "1");
      return;
    }
    ModelLimits limits = route.limits();
    ex.limits = limits == null ? options.modelLimits() : limits;
    ex.timeoutMs = timeoutMs > 0 ? timeoutMs : ex.limits.timeout().toMillis();
    if (body.length() > options.maxBodyBytes()) {
      metrics.rejected(model, Rejection.TOO_LARGE);
      finish(ex, 413, "request body exceeds " + options.maxBodyBytes() + " bytes", null);
      return;
    }
    admit(ex);
  }

  private void readBody(Exchange ex, long declared) {
    HttpServerRequest req = ex.req;
    Buffer acc = Buffer.buffer(declared > 0 ? (int) declared : 1024);
    req.handler(
        chunk -> {
          if (ex.finished) {
            return;
          }
          if (acc.length() + chunk.length() > options.maxBodyBytes()) {
            tooLarge(ex);
            return;
          }
          acc.appendBuffer(chunk);
        });
    req.exceptionHandler(
        err -> log.debug("model={} body read failed: {}", ex.model, err.toString()));
    req.endHandler(
        v -> {
          if (!ex.finished) {
            ex.body = acc;
            admit(ex);
          }
        });
  }

  private void tooLarge(Exchange ex) {
    metrics.rejected(ex.model, Rejection.TOO_LARGE);
    ex.req.response().putHeader("Connection", "close");
    finish(ex, 413, "request body exceeds " + options.maxBodyBytes() + " bytes", null);
  }

  /** The model's bulkhead: forward now, wait in its bounded queue, or refuse at once. */
  private void admit(Exchange ex) {
    ModelGate gate = ex.route.gate();
    ModelLimits l = ex.limits;
    if (gate.tryEnter(l.maxInFlight())) {
      ex.gateHeld = true;
      forwarder.dispatch(ex);
      return;
    }
    Context context = vertx.getOrCreateContext();
    Runnable[] waiter = new Runnable[1];
    long[] timer = {-1};
    waiter[0] =
        () ->
            context.runOnContext(
                v -> {
                  if (timer[0] >= 0) {
                    vertx.cancelTimer(timer[0]);
                  }
                  ex.gateHeld = true;
                  forwarder.dispatch(ex);
                });
    switch (gate.enter(l.maxInFlight(), l.maxQueued(), waiter[0])) {
      case ADMITTED -> {
        ex.gateHeld = true;
        forwarder.dispatch(ex);
      }
      case QUEUED -> {
        long waitMs = Math.max(1, l.maxQueueWait().toMillis());
        timer[0] =
            vertx.setTimer(
                waitMs,
                id -> {
                  if (gate.cancel(waiter[0])) {
                    metrics.rejected(ex.model, Rejection.QUEUE_TIMEOUT);
                    finish(
                        ex,
                        503,
                        "model '" + ex.model + "' is overloaded: no slot within " + waitMs + " ms",
                        "1");
                  }
                });
      }
      case REJECTED -> {
        metrics.rejected(ex.model, Rejection.OVERLOADED);
        finish(
            ex,
            503,
            "model '"
                + ex.model
                + "' is overloaded: "
                + l.maxInFlight()
                + " in flight and "
                + l.maxQueued()
                + " waiting",
            "1");
      }
    }
  }

  /** Every replica that could take the inference holds all it admits: refused at once. */
  void refuseFull(Exchange ex) {
    metrics.rejected(ex.model, Rejection.OVERLOADED);
    finish(
        ex,
        503,
        "model '" + ex.model + "' is overloaded: every replica holds all the requests it admits",
        "1");
  }

  /**
   * Ends an exchange that the gateway answers itself: frees its bulkhead slot, counts it, writes
   * the error (with Retry-After when given).
   */
  void finish(Exchange ex, int status, String message, String retryAfter) {
    if (ex.finished) {
      return;
    }
    if (ex.remote != null) {
      ex.remote.refuse(status, message, retryAfter);
      completed(ex, status);
      return;
    }
    if (retryAfter != null) {
      ex.req.response().putHeader("Retry-After", retryAfter);
    }
    if (ex.req.isEnded() == false && status >= 400) {
      ex.req.resume();
    }
    error(ex.req, status, message);
    completed(ex, status);
  }

  /** Ends an exchange with an answer the gateway has itself (JSON), over its protocol. */
  void answer(Exchange ex, int status, byte[] body) {
    if (ex.finished) {
      return;
    }
    if (ex.remote != null) {
      ex.remote.answered(
          status,
          io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json"),
          Buffer.buffer(body));
    } else {
      send(ex.req, status, body);
    }
    completed(ex, status);
  }

  /** Accounting at the end of every exchange, however it ended. */
  void completed(Exchange ex, int status) {
    if (ex.finished) {
      return;
    }
    ex.finished = true;
    if (ex.gateHeld) {
      ex.gateHeld = false;
      ex.route.gate().leave(ex.limits.maxInFlight());
    }
    metrics.answered(
        ex.route == null ? "" : ex.model,
        ex.version,
        status,
        time.monotonicNanos() - ex.startNanos);
  }

  private static long contentLength(HttpServerRequest req) {
    String s = req.getHeader("Content-Length");
    if (s == null) {
      return -1;
    }
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static String seconds(long nanos) {
    return Long.toString(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(nanos + 999_999_999L)));
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }

  /** Answers an error in the format of the API asked: OpenAI's for its paths, else OIP's. */
  void error(HttpServerRequest req, int status, String message) {
    send(
        req,
        status,
        OpenAi.isOpenAiPath(req.path())
            ? OpenAi.error(status, message)
            : encoder.encodeError(message));
  }

  static void send(HttpServerRequest req, int status, byte[] body) {
    HttpServerResponse resp = req.response();
    if (!resp.ended()) {
      resp.setStatusCode(status)
          .putHeader("Content-Type", "application/json")
          .end(Buffer.buffer(body));
    }
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
