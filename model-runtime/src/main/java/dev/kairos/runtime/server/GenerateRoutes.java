package dev.kairos.runtime.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.generative.FinishReason;
import dev.kairos.generative.GenerationEngine;
import dev.kairos.generative.GenerationException;
import dev.kairos.generative.GenerativeModel;
import dev.kairos.generative.TokenSink;
import dev.kairos.generative.api.OpenAiFormat;
import dev.kairos.generative.api.ParsedRequest;
import dev.kairos.generative.api.TritonFormat;
import dev.kairos.runtime.metrics.GenerateMetrics;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.time.Clock;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge of a text-generation model: OpenAI's {@code /v1/completions}, {@code
 * /v1/chat/completions} and {@code /v1/models}, and Triton's {@code /v2/models/{m}/generate} and
 * {@code generate_stream}, with the exact public bodies and server-sent events, so a gateway can
 * forward them unparsed and relay each event as it comes.
 *
 * <p>The engine calls back on its own thread; every write hops to the request's event loop. A
 * client that goes away cancels its sequence, which frees its KV blocks at the next step.
 */
public final class GenerateRoutes implements Handler<HttpServerRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(GenerateRoutes.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SSE = "text/event-stream";

  private final GenerativeModel model;
  private final String version;
  private final int maxBodyBytes;
  private final Clock clock;
  private final GenerateMetrics metrics;
  private final AtomicLong ids = new AtomicLong();
  private final ReplicaTokenCheck door;

  public GenerateRoutes(
      GenerativeModel model, String version, int maxBodyBytes, Clock clock, Vertx vertx) {
    this(model, version, maxBodyBytes, clock, vertx, ReplicaTokenCheck.open());
  }

  /** Routes behind {@code door}: the gateway's replica token, as on the tensor path. */
  public GenerateRoutes(
      GenerativeModel model,
      String version,
      int maxBodyBytes,
      Clock clock,
      Vertx vertx,
      ReplicaTokenCheck door) {
    this.door = door;
    this.model = model;
    this.version = version;
    this.maxBodyBytes = maxBodyBytes;
    this.clock = clock;
    this.metrics = new GenerateMetrics(model.name(), model.engine().stats());
  }

  private enum Api {
    COMPLETION,
    CHAT,
    GENERATE,
    GENERATE_STREAM
  }

  @Override
  public void handle(HttpServerRequest req) {
    if (!door.admit(req)) {
      return;
    }
    String path = req.path();
    String prefix = "/v2/models/" + model.name();
    switch (path) {
      case "/v2/health/live", "/v2/health/ready" -> send(req, 200, "{}", "application/json");
      case "/metrics" -> send(req, 200, metrics.scrape(), metrics.contentType());
      case "/v1/models" -> send(req, 200, OpenAiFormat.models(model.name(), 0), "application/json");
      case "/v1/completions" -> post(req, Api.COMPLETION);
      case "/v1/chat/completions" -> post(req, Api.CHAT);
      default -> {
        if (path.equals(prefix + "/generate")
            || path.equals(prefix + "/versions/" + version + "/generate")) {
          post(req, Api.GENERATE);
        } else if (path.equals(prefix + "/generate_stream")
            || path.equals(prefix + "/versions/" + version + "/generate_stream")) {
          post(req, Api.GENERATE_STREAM);
        } else if (path.equals(prefix) || path.equals(prefix + "/ready")) {
          send(req, 200, "{\"name\":\"" + model.name() + "\",\"ready\":true}", "application/json");
        } else {
          send(
              req,
              404,
              TritonFormat.error("no route for " + req.method() + " " + path),
              "application/json");
        }
      }
    }
  }

  private void post(HttpServerRequest req, Api api) {
    boolean openAi = api == Api.COMPLETION || api == Api.CHAT;
    if (req.method() != HttpMethod.POST) {
      error(req, openAi, 405, path(req) + " takes POST, got " + req.method());
      return;
    }
    String length = req.getHeader("Content-Length");
    if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > maxBodyBytes) {
      error(req, openAi, 413, "the body is over " + maxBodyBytes + " bytes");
      return;
    }
    long arrival = clock.monotonicNanos();
    req.body()
        .onFailure(e -> LOG.debug("model={} body not read: {}", model.name(), e.toString()))
        .onSuccess(
            body -> {
              try {
                start(req, api, body, arrival);
              } catch (RuntimeException e) {
                // A bug, not the client's fault: answer rather than leave the client hanging.
                LOG.error("model={} {} failed", model.name(), req.path(), e);
                metrics.answered(500);
                error(req, openAi, 500, "internal error: " + e);
              }
            });
  }

  private void start(HttpServerRequest req, Api api, Buffer body, long arrival) {
    boolean openAi = api == Api.COMPLETION || api == Api.CHAT;
    ParsedRequest parsed;
    try {
      if (body.length() > maxBodyBytes) {
        error(req, openAi, 413, "the body is over " + maxBodyBytes + " bytes");
        return;
      }
      JsonNode json;
      try {
        json = JSON.readTree(body.getBytes());
        if (json == null || json.isMissingNode()) {
          throw new GenerationException.InvalidRequest("the body is empty, must be a JSON object");
        }
      } catch (JsonProcessingException e) {
        metrics.answered(400);
        error(req, openAi, 400, "malformed JSON: " + e.getOriginalMessage());
        return;
      } catch (java.io.IOException e) {
        metrics.answered(400);
        error(req, openAi, 400, "unreadable body: " + e.getMessage());
        return;
      }
      long deadline = Deadlines.deadline(req.getHeader(Deadlines.NAME), arrival, "header");
      parsed =
          switch (api) {
            case COMPLETION -> model.requests().completion(json, deadline);
            case CHAT -> model.requests().chat(json, deadline);
            case GENERATE -> model.requests().generate(json, false, deadline);
            case GENERATE_STREAM -> model.requests().generate(json, true, deadline);
          };
    } catch (GenerationException.InvalidRequest | InvalidInputException e) {
      metrics.answered(400);
      error(req, openAi, 400, e.getMessage());
      return;
    }
    Context context = Vertx.currentContext();
    Exchange exchange = new Exchange(req, api, parsed, context);
    try {
      exchange.handle = model.engine().submit(parsed.generation(), exchange);
    } catch (GenerationException e) {
      int status = status(e);
      metrics.answered(status);
      if (status == 503) {
        req.response().putHeader("Retry-After", "1");
      }
      error(req, openAi, status, e.getMessage());
      return;
    }
    HttpServerResponse response = req.response();
    response.closeHandler(v -> exchange.clientGone());
    response.exceptionHandler(e -> exchange.clientGone());
    if (response.closed()) {
      // Gone while the body was read: no close event will come.
      exchange.clientGone();
      return;
    }
    if (parsed.stream()) {
      response
          .setChunked(true)
          .putHeader("Content-Type", SSE)
          .putHeader("Cache-Control", "no-cache")
          .putHeader("X-Accel-Buffering", "no");
      if (api == Api.CHAT) {
        exchange.event(exchange.openAi.roleChunk());
      }
    }
  }

  /** One request in flight: the engine's sink, writing on the request's event loop. */
  private final class Exchange implements TokenSink {
    final HttpServerRequest req;
    final Api api;
    final ParsedRequest parsed;
    final Context context;
    final OpenAiFormat openAi;
    final TritonFormat triton;
    final StringBuilder text = new StringBuilder();
    volatile GenerationEngine.Handle handle;
    boolean ended;

    Exchange(HttpServerRequest req, Api api, ParsedRequest parsed, Context context) {
      this.req = req;
      this.api = api;
      this.parsed = parsed;
      this.context = context;
      boolean chat = api == Api.CHAT;
      this.openAi =
          new OpenAiFormat(
              (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", ""),
              clock.wallMillis() / 1000,
              model.name(),
              chat);
      this.triton = new TritonFormat(model.name(), version);
    }

    boolean isOpenAi() {
      return api == Api.COMPLETION || api == Api.CHAT;
    }

    void clientGone() {
      if (!ended) {
        ended = true;
        GenerationEngine.Handle h = handle;
        if (h != null) {
          h.cancel();
        }
        LOG.debug("model={} client left: sequence cancelled", model.name());
      }
    }

    @Override
    public void onText(String delta, int token) {
      if (delta.isEmpty()) {
        return;
      }
      context.runOnContext(
          v -> {
            if (ended) {
              return;
            }
            if (!parsed.stream()) {
              text.append(delta);
            } else if (isOpenAi()) {
              event(openAi.chunk(delta, null));
            } else {
              event(triton.output(delta, null));
            }
          });
    }

    @Override
    public void onFinish(FinishReason reason, Usage usage) {
      context.runOnContext(
          v -> {
            if (ended) {
              return;
            }
            ended = true;
            metrics.answered(200);
            HttpServerResponse r = req.response();
            if (!parsed.stream()) {
              String body =
                  isOpenAi()
                      ? openAi.full(text.toString(), reason, usage)
                      : triton.output(text.toString(), reason);
              send(req, 200, body, "application/json");
              return;
            }
            if (isOpenAi()) {
              event(openAi.chunk("", reason));
              if (parsed.includeUsage()) {
                event(openAi.usageChunk(usage));
              }
              r.end("data: [DONE]\n\n");
            } else {
              event(triton.output("", reason));
              r.end();
            }
          });
    }

    @Override
    public void onError(GenerationException error, Usage usage) {
      context.runOnContext(
          v -> {
            if (ended) {
              return;
            }
            ended = true;
            int status = status(error);
            metrics.answered(status);
            if (!parsed.stream()) {
              if (status == 503) {
                req.response().putHeader("Retry-After", "1");
              }
              GenerateRoutes.this.error(req, isOpenAi(), status, error.getMessage());
              return;
            }
            // Headers are gone already: the stream ends with an error event in the API's format.
            if (isOpenAi()) {
              event(OpenAiFormat.error(error.getMessage(), type(status)));
              req.response().end("data: [DONE]\n\n");
            } else {
              event(TritonFormat.error(error.getMessage()));
              req.response().end();
            }
          });
    }

    void event(String json) {
      req.response().write("data: " + json + "\n\n");
    }
  }

  private static int status(GenerationException e) {
    if (e instanceof GenerationException.InvalidRequest) {
      return 400;
    }
    if (e instanceof GenerationException.Busy) {
      return 503;
    }
    if (e instanceof GenerationException.DeadlineExceeded) {
      return 504;
    }
    return 500;
  }

  private static String type(int status) {
    return switch (status) {
      case 400, 405, 413 -> "invalid_request_error";
      case 503 -> "overloaded_error";
      case 504 -> "timeout_error";
      default -> "server_error";
    };
  }

  private void error(HttpServerRequest req, boolean openAi, int status, String message) {
    send(
        req,
        status,
        openAi ? OpenAiFormat.error(message, type(status)) : TritonFormat.error(message),
        "application/json");
  }

  private static String path(HttpServerRequest req) {
    return req.path();
  }

  private static void send(HttpServerRequest req, int status, String body, String type) {
    HttpErrors.answer(req, status, type, Buffer.buffer(body));
  }
}
