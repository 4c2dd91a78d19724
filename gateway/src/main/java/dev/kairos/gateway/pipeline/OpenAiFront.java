package dev.kairos.gateway.pipeline;

import dev.kairos.gateway.auth.ApiKey;
import dev.kairos.gateway.auth.Credentials;
import dev.kairos.gateway.metrics.GatewayMetrics.Rejection;
import dev.kairos.gateway.protocol.OpenAi;
import dev.kairos.gateway.route.ModelRoute;
import dev.kairos.gateway.route.RouteTable;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.OipPath;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenAI-compatible API's adapter: {@code POST /v1/completions} and {@code
 * /v1/chat/completions} name their model in the body, so the body (bounded by the body limit) is
 * read first; the call then enters the pipeline like every other, and its body goes to the replica
 * unchanged. {@code GET /v1/models} is answered here.
 */
final class OpenAiFront {
  private final Pipeline pipeline;
  private final RouteTable routes;
  private final long maxBodyBytes;
  private final HttpFront front;

  OpenAiFront(Pipeline pipeline, RouteTable routes, long maxBodyBytes, HttpFront front) {
    this.pipeline = pipeline;
    this.routes = routes;
    this.maxBodyBytes = maxBodyBytes;
    this.front = front;
  }

  void completion(HttpServerRequest req) {
    if (req.method() != HttpMethod.POST) {
      HttpCaller.error(req, 405, req.path() + " takes POST, got " + req.method());
      return;
    }
    Admission admission = pipeline.admission();
    String secret = Credentials.secret(req);
    if (admission.enforced() && admission.known(secret) == null) {
      // Refused before the body is read: an unknown caller costs no copy of it.
      front.authorized(req, "");
      return;
    }
    long start = pipeline.time().monotonicNanos();
    HttpCaller caller = new HttpCaller(req);
    if (caller.declaredLength() > maxBodyBytes) {
      tooLarge(caller);
      return;
    }
    caller.readBody(
        maxBodyBytes,
        body -> {
          OpenAi.Request asked;
          try {
            asked = OpenAi.read(body.getBytes());
          } catch (InvalidInputException e) {
            HttpCaller.error(req, 400, e.getMessage());
            return;
          }
          String model = asked.model();
          if (!OipPath.isValidName(model)) {
            HttpCaller.error(req, 400, "invalid model name '" + HttpFront.printable(model) + "'");
            return;
          }
          if (!front.generates(req, model)) {
            return;
          }
          Call call =
              pipeline.call(caller, model, null, null, asked.stream(), false, req.uri(), start);
          call.body = body;
          pipeline.enter(call);
        },
        () -> tooLarge(caller));
  }

  private void tooLarge(HttpCaller caller) {
    pipeline.metrics().rejected(null, Rejection.TOO_LARGE);
    caller.refuse(413, "request body exceeds " + maxBodyBytes + " bytes", null);
  }

  /**
   * {@code GET /v1/models}: the text-generation models of the route table, as OpenAI lists them;
   * with API keys on, those the caller's key may call.
   */
  void models(HttpServerRequest req) {
    if (req.method() != HttpMethod.GET) {
      HttpCaller.error(req, 405, "use GET for /v1/models");
      return;
    }
    Admission admission = pipeline.admission();
    ApiKey key = null;
    if (admission.enforced()) {
      key = admission.known(Credentials.secret(req));
      if (key == null) {
        front.authorized(req, "");
        return;
      }
    }
    List<String> names = new ArrayList<>();
    for (ModelRoute m : routes.all()) {
      if (m.generative()
          && m.state() != ModelRoute.State.FAILED
          && (key == null || key.mayInfer(m.name()))) {
        names.add(m.name());
      }
    }
    names.sort(null);
    HttpCaller.send(req, 200, OpenAi.models(names));
  }
}
