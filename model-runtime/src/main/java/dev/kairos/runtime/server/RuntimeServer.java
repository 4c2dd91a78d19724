package dev.kairos.runtime.server;

import dev.kairos.runtime.buffer.DirectBufferPool;
import dev.kairos.runtime.core.InferenceService;
import dev.kairos.runtime.engine.LoadedModel;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.oip.InvalidInputException;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.oip.OipJsonEncoder;
import dev.kairos.sdk.oip.OipMediaTypes;
import dev.kairos.sdk.oip.OipPath;
import dev.kairos.sdk.oip.RequestedOutput;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's Open Inference Protocol v2 REST endpoint, for one model version or for the several
 * a runtime host holds ({@link ServedModels} finds the model a path names; {@link
 * RepositoryOperations} loads and unloads). The event loop only moves bytes; decoding, inference
 * and encoding run on each model's {@link InferenceService} pools.
 */
public final class RuntimeServer {
  /** Header of the binary tensor extension: length of the JSON part of the body. */
  public static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  private static final Logger log = LoggerFactory.getLogger(RuntimeServer.class);
  private static final byte[] LIVE = "{\"live\":true}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] READY = "{\"ready\":true}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NOT_READY = "{\"ready\":false}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);
  private static final String REPOSITORY = "/v2/repository/models/";
  private static final String REPOSITORY_INDEX = "/v2/repository/index";
  private static final long MAX_REPOSITORY_BODY = 64 * 1024;
  private static final int INLINE_DECODE_BYTES = 16 * 1024;

  private final Vertx vertx;
  private final ServedModels models;
  private final RepositoryOperations repository;
  private final long maxBodyBytes;
  private final OipJsonDecoder decoder = new OipJsonDecoder();
  private final DirectBufferPool buffers = DirectBufferPool.shared();
  private final OipJsonEncoder encoder = new OipJsonEncoder();
  private final byte[] serverMetadata;
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final LongAdder capturedBodies = new LongAdder();
  private volatile int actualPort;

  private final ReplicaTokenCheck door;

  /**
   * A replica serving one model version, answering anyone who reaches its port.
   *
   * @param loader loads the model version again from its files, for the repository extension's
   *     {@code load}
   */
  public RuntimeServer(
      Vertx vertx, InferenceService service, long maxBodyBytes, Supplier<LoadedModel> loader) {
    this(vertx, service, maxBodyBytes, loader, ReplicaTokenCheck.open());
  }

  /**
   * A replica serving one model version.
   *
   * @param loader loads the model version again from its files, for the repository extension's
   *     {@code load}
   * @param door who may call: the gateway's token, checked before anything else
   */
  public RuntimeServer(
      Vertx vertx,
      InferenceService service,
      long maxBodyBytes,
      Supplier<LoadedModel> loader,
      ReplicaTokenCheck door) {
    this(
        vertx,
        ServedModels.one(service),
        new ReplicaRepository(vertx, service, loader),
        maxBodyBytes,
        door);
  }

  /**
   * A server for the models {@code models} holds (a runtime host's), loaded and unloaded by {@code
   * repository}.
   *
   * @param door who may call: the gateway's token, checked before anything else
   */
  public RuntimeServer(
      Vertx vertx,
      ServedModels models,
      RepositoryOperations repository,
      long maxBodyBytes,
      ReplicaTokenCheck door) {
    this.door = door;
    this.vertx = vertx;
    this.models = models;
    this.repository = repository;
    this.maxBodyBytes = maxBodyBytes;
    this.serverMetadata =
        encoder.encodeServerMetadata(
            "kairos-runtime", version(), List.of("binary_tensor_data", "model_repository"));
  }

  static String version() {
    String v = RuntimeServer.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Starts listening; port 0 picks a free port. */
  public Future<Integer> listen(String host, int port) {
    return listen(host, port, 1);
  }

  /**
   * Starts {@code instances} servers on one port, each on its own event loop (when the Vert.x
   * instance has that many), so a light model's HTTP work is not capped at one core.
   */
  public Future<Integer> listen(String host, int port, int instances) {
    // Vert.x shares a port between servers asking for the same number; for port 0 each would get
    // its own random port, so ask for a negative number, which Vert.x reads as "one random port,
    // shared" (as the gateway does).
    int requested = port != 0 ? port : -1 - (System.identityHashCode(this) & 0xffff);
    Future<Integer> first = bind(host, requested);
    for (int i = 1; i < instances; i++) {
      first = first.compose(p -> bind(host, requested).map(p));
    }
    return first.onSuccess(p -> actualPort = p);
  }

  private Future<Integer> bind(String host, int port) {
    HttpServer server =
        vertx.createHttpServer(
            new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                .setTcpNoDelay(true)
                // The gateway speaks HTTP/1.1 to replicas. Vert.x would otherwise accept an h2c
                // upgrade, whose body it reads with no back-pressure into the heap.
                .setHttp2ClearTextEnabled(false)
                // A body's pieces as large as a socket read (Vert.x's default is 8 KB): each piece
                // costs a dispatch through the pipeline, and above Vert.x a heap buffer of its own.
                .setMaxChunkSize(64 * 1024));
    servers.add(server);
    return server
        .connectionHandler(conn -> BinaryIntake.install(conn, maxBodyBytes, capturedBodies))
        .requestHandler(this::handle)
        .listen()
        .map(HttpServer::actualPort);
  }

  public int port() {
    return actualPort;
  }

  /** Request bodies {@link BinaryIntake} read below Vert.x, since the server started. */
  long capturedBodies() {
    return capturedBodies.sum();
  }

  /**
   * Stops gracefully: stops accepting connections, lets the requests in progress finish (up to
   * {@code grace}), then closes every connection.
   */
  public Future<Void> shutdown(java.time.Duration grace) {
    List<Future<Void>> closing = new ArrayList<>();
    for (HttpServer s : servers) {
      closing.add(s.shutdown(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
    }
    return Future.all(closing).mapEmpty();
  }

  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    for (HttpServer s : servers) {
      closing.add(s.close());
    }
    return Future.all(closing).mapEmpty();
  }

  private void handle(HttpServerRequest req) {
    if (!door.admit(req)) {
      return;
    }
    String path = req.path();
    try {
      switch (path) {
        case "/v2/health/live" -> send(req, 200, LIVE);
        case "/v2/health/ready" -> sendReady(req, models.ready());
        case "/v2" -> send(req, 200, serverMetadata);
        case "/metrics" -> send(req, 200, models.meters().scrape(), models.meters().contentType());
        case REPOSITORY_INDEX -> answerRepository(req, body -> repository.index());
        default -> {
          if (path.startsWith(REPOSITORY)) {
            handleRepository(req, path.substring(REPOSITORY.length()));
          } else {
            handleModel(req, path);
          }
        }
      }
    } catch (RuntimeException e) {
      fail(req, e, null);
    }
  }

  private void handleModel(HttpServerRequest req, String path) {
    OipPath p = OipPath.parse(path);
    if (p == null) {
      send(req, 404, encoder.encodeError("no route for " + req.method() + " " + path));
      return;
    }
    InferenceService service = models.resolve(p.model(), p.version());
    switch (p.op()) {
      case METADATA -> {
        LoadedModel m = service.loaded();
        send(
            req,
            200,
            encoder.encodeModelMetadata(
                service.model(), List.of(service.version()), m.platform(), m.signature()));
      }
      case READY -> sendReady(req, service.ready());
      case INFER -> {
        if (req.method() != HttpMethod.POST) {
          send(req, 405, encoder.encodeError("infer takes POST, got " + req.method()));
          return;
        }
        infer(req, service);
      }
    }
  }

  private void sendReady(HttpServerRequest req, boolean ready) {
    if (ready) {
      send(req, 200, READY);
    } else {
      req.response().putHeader("Retry-After", "1");
      send(req, 503, NOT_READY);
    }
  }

  private void infer(HttpServerRequest req, InferenceService service) {
    String contentType = req.getHeader("Content-Type");
    if (!OipMediaTypes.isAcceptedRequestType(contentType)) {
      send(req, 415, encoder.encodeError(OipMediaTypes.rejection(contentType)));
      return;
    }
    long arrival = service.clock().monotonicNanos();
    long headerDeadline = Deadlines.deadline(req.getHeader(Deadlines.NAME), arrival, "header");
    int jsonLength = headerLength(req);
    if (!service.tryAdmit()) {
      // Shed before reading or decoding the body: that work is what an overloaded replica lacks.
      service.metrics().answered(503);
      req.response().putHeader("Retry-After", "1");
      send(
          req,
          503,
          encoder.encodeError(
              service.retired()
                  ? "model '"
                      + service.model()
                      + "' version "
                      + service.version()
                      + " is being unloaded"
                  : "model '"
                      + service.model()
                      + "' is overloaded: "
                      + service.admitted()
                      + " requests in progress"));
      return;
    }
    AtomicBoolean left = new AtomicBoolean();
    Runnable leave =
        () -> {
          if (left.compareAndSet(false, true)) {
            service.leave();
          }
        };
    InferenceBody.read(req, maxBodyBytes, jsonLength, buffers)
        .onSuccess(
            body ->
                decodeOffLoopIfLarge(service, body)
                    .thenCompose(
                        request -> {
                          long deadline =
                              Math.min(
                                  headerDeadline,
                                  Deadlines.deadline(
                                      request.parameters().get(Deadlines.NAME),
                                      arrival,
                                      "parameter"));
                          return service
                              .infer(request, deadline)
                              .thenApply(
                                  response ->
                                      encoder.encodeResponse(
                                          response, binaryOutputs(request, response)));
                        })
                    .whenComplete(
                        (encoded, err) -> {
                          // The answer is encoded (copied out) or failed: nothing reads the
                          // request's tensors any more.
                          body.release();
                          leave.run();
                          if (err != null) {
                            failInference(req, service, err);
                            return;
                          }
                          service.metrics().answered(200);
                          if (encoded.hasBinary()) {
                            req.response()
                                .putHeader(HEADER_LENGTH, Integer.toString(encoded.jsonLength()));
                            send(req, 200, encoded.body(), "application/octet-stream");
                          } else {
                            send(req, 200, encoded.body());
                          }
                        }))
        .onFailure(
            err -> {
              leave.run();
              failInference(req, service, err);
            });
  }

  /**
   * What decodes in microseconds (a few rows of JSON, the JSON part of a binary body read into a
   * direct buffer, whose tensors are views of it) decodes on the event loop, which saves two thread
   * hops per request. Larger JSON goes to the bounded codec pool, so the loop never stalls.
   */
  private CompletableFuture<InferenceRequest> decodeOffLoopIfLarge(
      InferenceService service, InferenceBody body) {
    if (body.decodedBytes() <= INLINE_DECODE_BYTES) {
      try {
        return CompletableFuture.completedFuture(body.decode(decoder));
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return service.submit(() -> body.decode(decoder));
  }

  private void failInference(HttpServerRequest req, InferenceService service, Throwable err) {
    service.metrics().answered(HttpErrors.status(HttpErrors.unwrap(err)));
    fail(req, err, service);
  }

  /** Triton's repository extension: {@code POST .../models/{m}/load} and {@code .../unload}. */
  private void handleRepository(HttpServerRequest req, String rest) {
    int slash = rest.lastIndexOf('/');
    String name = slash < 0 ? rest : rest.substring(0, slash);
    String op = slash < 0 ? "" : rest.substring(slash + 1);
    switch (op) {
      case "load" -> answerRepository(req, body -> repository.load(name, body));
      case "unload" -> answerRepository(req, body -> repository.unload(name, body));
      default -> send(req, 404, encoder.encodeError("no repository operation '" + op + "'"));
    }
  }

  /** Reads the operation's (small) body, runs it off the event loop, and answers its JSON. */
  private void answerRepository(
      HttpServerRequest req, java.util.function.Function<byte[], CompletableFuture<byte[]>> op) {
    boolean index = req.path().equals(REPOSITORY_INDEX);
    if (req.method() != HttpMethod.POST && !(index && req.method() == HttpMethod.GET)) {
      send(req, 405, encoder.encodeError("repository operations take POST, got " + req.method()));
      return;
    }
    InferenceBody.readHeap(req, Math.min(maxBodyBytes, MAX_REPOSITORY_BODY))
        .onSuccess(
            body ->
                op.apply(body.getBytes())
                    .whenComplete(
                        (json, err) -> {
                          if (err != null) {
                            fail(req, err, null);
                          } else {
                            send(req, 200, json);
                          }
                        }))
        .onFailure(err -> fail(req, err, null));
  }

  private static Set<String> binaryOutputs(InferenceRequest request, InferenceResponse response) {
    boolean all = Boolean.TRUE.equals(request.parameters().get("binary_data_output"));
    Set<String> out = new HashSet<>();
    if (all) {
      response.outputs().forEach(t -> out.add(t.name()));
    }
    for (RequestedOutput o : request.outputs()) {
      Object b = o.parameters().get("binary_data");
      if (Boolean.TRUE.equals(b)) {
        out.add(o.name());
      } else if (Boolean.FALSE.equals(b)) {
        out.remove(o.name());
      }
    }
    return out;
  }

  private static int headerLength(HttpServerRequest req) {
    String h = req.getHeader(HEADER_LENGTH);
    if (h == null) {
      return -1;
    }
    try {
      int n = Integer.parseInt(h.trim());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new InvalidInputException(
          HEADER_LENGTH + " must be a non-negative integer, got '" + h + "'");
    }
  }

  /**
   * @param service the model the request was for, or null when it was for the process
   */
  private void fail(HttpServerRequest req, Throwable err, InferenceService service) {
    Throwable t = HttpErrors.unwrap(err);
    int status = HttpErrors.status(t);
    String message = t.getMessage();
    if (status == HttpErrors.CLIENT_CLOSED) {
      // The client hung up (mid-body, say): nobody to answer, and not the model's failure.
      log.debug("{} {}: the client closed the connection: {}", req.method(), req.path(), message);
      return;
    }
    if (status == 500 && service == null) {
      log.warn("runtime request {} {} failed", req.method(), req.path(), t);
    } else if (status == 500) {
      message =
          "model '" + service.model() + "' version " + service.version() + " failed: " + message;
      log.warn("model={} version={} inference failed", service.model(), service.version(), t);
    }
    if (status == 503 || status == 429) {
      req.response().putHeader("Retry-After", "1");
    }
    send(req, status, encoder.encodeError(message));
  }

  private static void send(HttpServerRequest req, int status, byte[] body) {
    send(req, status, body, "application/json");
  }

  private static void send(HttpServerRequest req, int status, byte[] body, String contentType) {
    HttpErrors.answer(req, status, contentType, Buffer.buffer(body));
  }
}
