package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.auth.Credentials;
import dev.kairos.gateway.metrics.GatewayMetrics;
import dev.kairos.gateway.pipeline.Admission.Refusal;
import dev.kairos.gateway.protocol.DjlPredictions;
import dev.kairos.gateway.protocol.KServeV1;
import dev.kairos.gateway.protocol.OpenAi;
import dev.kairos.gateway.protocol.Translation;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.OipJsonEncoder;
import dev.kairos.sdk.oip.OipPath;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.Http1xServerConnection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The public HTTP port: the server's own endpoints (health, readiness, metadata, metrics), then one
 * thin adapter per API that turns a model request into a {@link Call} for the {@link Pipeline}: OIP
 * v2 and Triton's generate extension (bodies unparsed), KServe v1 and DJL Serving's {@code
 * /predictions} (translated to OIP by the forward stage), OpenAI (see {@link OpenAiFront}).
 */
public final class HttpFront implements Handler<HttpServerRequest> {
  private static final byte[] LIVE = "{\"live\":true}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] READY = "{\"ready\":true}".getBytes(StandardCharsets.UTF_8);

  private final Pipeline pipeline;
  private final RouteTable routes;
  private final GatewayMetrics metrics;
  private final OpenAiFront openAi;
  private final byte[] serverMetadata;
  private final Translation kserveV1 = new KServeV1();
  private final Translation djl = new DjlPredictions();
  private final long maxBodyBytes;
  private final LongAdder taken = new LongAdder();

  public HttpFront(Pipeline pipeline, RouteTable routes, long maxBodyBytes) {
    this.pipeline = pipeline;
    this.routes = routes;
    this.metrics = pipeline.metrics();
    this.maxBodyBytes = maxBodyBytes;
    this.openAi = new OpenAiFront(pipeline, routes, maxBodyBytes, this);
    String v = HttpFront.class.getPackage().getImplementationVersion();
    this.serverMetadata =
        new OipJsonEncoder()
            .encodeServerMetadata("kairos", v == null ? "dev" : v, List.of("binary_tensor_data"));
  }

  /**
   * Takes the hot model calls of a new HTTP/1.x connection below Vert.x's server (see {@link
   * NettyFront}); everything else on it still comes to {@link #handle}. Call from the server's
   * connection handler, before the connection has read a request.
   */
  public void takeModelCalls(HttpConnection conn) {
    if (!(conn instanceof Http1xServerConnection c)) {
      return;
    }
    ChannelPipeline p = c.channelHandlerContext().pipeline();
    if (p.get(NettyFront.NAME) == null && p.get("handler") != null) {
      p.addBefore(
          "handler", NettyFront.NAME, new NettyFront(pipeline, c.context(), maxBodyBytes, taken));
    }
  }

  /** Model calls taken below Vert.x's server since the start (see {@link #takeModelCalls}). */
  public long takenBelowVertx() {
    return taken.sum();
  }

  @Override
  public void handle(HttpServerRequest req) {
    String path = req.path();
    if (path.startsWith("/v2/models/")) {
      oip(req, path);
      return;
    }
    switch (path) {
      case "/v2/health/live" -> HttpCaller.send(req, 200, LIVE);
      case "/v2/health/ready" -> ready(req);
      case "/v2" -> HttpCaller.send(req, 200, serverMetadata);
      case OpenAi.COMPLETIONS, OpenAi.CHAT_COMPLETIONS -> openAi.completion(req);
      case OpenAi.MODELS -> openAi.models(req);
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
          HttpCaller.error(req, 404, "no route for " + req.method() + " " + path);
        }
      }
    }
  }

  private void ready(HttpServerRequest req) {
    for (ModelRoute m : routes.all()) {
      if (m.state() == ModelRoute.State.LOADING) {
        HttpCaller.error(req, 503, "model '" + m.name() + "' is still loading");
        return;
      }
    }
    HttpCaller.send(req, 200, READY);
  }

  /** OIP v2: infer, metadata, generate and generate_stream go down the pipeline; ready does not. */
  private void oip(HttpServerRequest req, String path) {
    OipPath p;
    try {
      p = OipPath.parse(path);
    } catch (InvalidInputException e) {
      HttpCaller.error(req, 400, e.getMessage());
      return;
    }
    if (p == null) {
      HttpCaller.error(req, 404, "no route for " + req.method() + " " + path);
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
    pipeline.enter(
        pipeline.call(
            new HttpCaller(req),
            p.model(),
            p.version(),
            null,
            p.op() == OipPath.Op.GENERATE_STREAM,
            false,
            req.uri()));
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
      HttpCaller.error(req, 404, "unknown model '" + model + "'");
      return;
    }
    switch (route.readiness(version)) {
      case READY ->
          HttpCaller.send(
              req,
              200,
              ("{\"name\":\"" + model + "\",\"ready\":true}").getBytes(StandardCharsets.UTF_8));
      case NO_SUCH_VERSION ->
          HttpCaller.error(req, 404, "model '" + model + "' has no version '" + version + "'");
      case LOADING -> {
        req.response().putHeader("Retry-After", "1");
        HttpCaller.error(req, 503, "model '" + model + "' is still loading");
      }
      case FAILED -> {
        req.response().putHeader("Retry-After", "1");
        HttpCaller.error(req, 503, "model '" + model + "' failed to load: " + route.reason());
      }
    }
  }

  /** {@code POST /v1/models/{m}:predict}, and {@code GET /v1/models/{m}} (readiness). */
  private void kserveV1(HttpServerRequest req, String path) {
    String rest = path.substring("/v1/models/".length());
    boolean predict = rest.endsWith(":predict");
    String model = predict ? rest.substring(0, rest.length() - ":predict".length()) : rest;
    if (!OipPath.isValidName(model)) {
      HttpCaller.error(req, 400, "invalid model name '" + printable(model) + "'");
      return;
    }
    if (!predict) {
      if (!authorized(req, model)) {
        return;
      }
      ModelRoute route = routes.find(model);
      if (route == null) {
        HttpCaller.error(req, 404, "unknown model '" + model + "'");
        return;
      }
      boolean ready = route.state() == ModelRoute.State.READY;
      HttpCaller.send(
          req,
          200,
          ("{\"name\":\"" + model + "\",\"ready\":" + ready + "}")
              .getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (req.method() != HttpMethod.POST) {
      HttpCaller.error(req, 405, "use POST for :predict");
      return;
    }
    pipeline.enter(
        pipeline.call(new HttpCaller(req), model, null, kserveV1, false, false, req.uri()));
  }

  /** {@code POST /predictions/{m}[/{v}]} as DJL Serving answers it. */
  private void djl(HttpServerRequest req, String path) {
    String[] parts = path.substring("/predictions/".length()).split("/", -1);
    if (parts.length > 2) {
      HttpCaller.error(req, 404, "no route for " + req.method() + " " + path);
      return;
    }
    String model = parts[0];
    String version = parts.length == 2 ? parts[1] : null;
    if (!OipPath.isValidName(model) || (version != null && !OipPath.isValidName(version))) {
      HttpCaller.error(req, 400, "invalid model name or version in '" + printable(path) + "'");
      return;
    }
    if (req.method() != HttpMethod.POST) {
      HttpCaller.error(req, 405, "use POST for /predictions");
      return;
    }
    pipeline.enter(
        pipeline.call(new HttpCaller(req), model, version, djl, false, false, req.uri()));
  }

  /**
   * False, after answering, when a known model does not generate text: asking a tensor model for a
   * completion is the caller's mistake, and must not wake it at zero replicas. Unknown models go on
   * to the usual 404 (after authentication, so a caller learns nothing of models it may not call).
   */
  boolean generates(HttpServerRequest req, String model) {
    ModelRoute route = routes.find(model);
    if (route == null || route.generative()) {
      return true;
    }
    if (authorized(req, model)) {
      HttpCaller.error(
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

  /** Authentication and rate limit for an answer given here; false after refusing. */
  boolean authorized(HttpServerRequest req, String model) {
    Admission admission = pipeline.admission();
    if (!admission.enforced()) {
      return true;
    }
    Refusal r = admission.check(Credentials.secret(req), model);
    if (r == null) {
      return true;
    }
    new HttpCaller(req).refuse(r.status(), r.message(), r.retryAfter());
    return false;
  }

  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }
}
