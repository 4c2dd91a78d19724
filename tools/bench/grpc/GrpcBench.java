import dev.kairos.sdk.grpc.OipProtos;
import dev.kairos.sdk.grpc.proto.ModelInferRequest;
import dev.kairos.sdk.grpc.proto.ModelInferResponse;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.OipJsonEncoder;
import dev.kairos.sdk.tensor.Tensor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.common.WireFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One model, one input of ResNet-18's size (1x3x224x224 FP32), three ways through the gateway, side
 * by side: REST JSON, REST with the binary tensor extension, gRPC with raw_input_contents. Closed
 * loop, C calls in flight, for S seconds per slice; the modes take turns within each round.
 *
 * <pre>java -cp 'cli/target/lib/*:cli/target/kairos-cli.jar' tools/bench/grpc/GrpcBench.java \
 *     REST_URL GRPC_PORT MODEL SECONDS CONCURRENCY ROUNDS [MODEL.onnx]</pre>
 *
 * Prints one line per slice: {@code mode=M c=C rps=X p50_ms=Y p99_ms=Z errors=E}; with the model
 * file, also the engine alone ({@code mode=engine}) on the same input, once per round.
 */
public class GrpcBench {
  public static void main(String[] args) throws Exception {
    String url = args[0];
    int grpcPort = Integer.parseInt(args[1]);
    String model = args[2];
    double seconds = Double.parseDouble(args[3]);
    int concurrency = Integer.parseInt(args[4]);
    int rounds = Integer.parseInt(args[5]);

    float[] values = new float[3 * 224 * 224];
    Random r = new Random(1);
    for (int i = 0; i < values.length; i++) {
      values[i] = r.nextFloat();
    }
    InferenceRequest request =
        InferenceRequest.of(Tensor.ofFloats("input", new long[] {1, 3, 224, 224}, values));
    OipJsonEncoder encoder = new OipJsonEncoder();
    Buffer json = Buffer.buffer(encoder.encodeRequest(request));
    OipJsonEncoder.Encoded bin = encoder.encodeRequest(request, Set.of("input"));
    Buffer binary = Buffer.buffer(bin.body());
    ModelInferRequest grpcRequest = OipProtos.fromRequest(model, null, request, true);

    Vertx vertx = Vertx.vertx();
    java.net.URI u = java.net.URI.create(url);
    HttpClient http =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
            new PoolOptions().setHttp1MaxSize(concurrency));
    // One call per HTTP/2 connection, C connections, as REST gets C keep-alive connections: with
    // 600 KB messages, C streams multiplexed on one connection share its bandwidth and all finish
    // late together.
    GrpcClient grpc =
        GrpcClient.client(
            vertx,
            vertx.createHttpClient(
                new HttpClientOptions()
                    .setProtocolVersion(HttpVersion.HTTP_2)
                    .setHttp2ClearTextUpgrade(false)
                    .setTcpNoDelay(true)
                    .setHttp2MultiplexingLimit(1)
                    .setHttp2ConnectionWindowSize(16 << 20)
                    .setInitialSettings(new Http2Settings().setInitialWindowSize(4 << 20)),
                new PoolOptions().setHttp2MaxSize(concurrency)));
    SocketAddress grpcAddress = SocketAddress.inetSocketAddress(grpcPort, u.getHost());
    String path = "/v2/models/" + model + "/infer";

    Supplier<Future<Boolean>> restJson =
        () -> post(http, u, path, json, "application/json", null);
    Supplier<Future<Boolean>> restBinary =
        () ->
            post(
                http,
                u,
                path,
                binary,
                "application/octet-stream",
                Integer.toString(bin.jsonLength()));
    // The message is serialised once, as the REST bodies are built once: each mode's client sends
    // bytes it has in hand, so the comparison is of the gateway's intake, not of client encoding.
    Buffer grpcBytes = Buffer.buffer(grpcRequest.toByteArray());
    ServiceMethod<ModelInferResponse, ModelInferRequest> preEncoded =
        ServiceMethod.client(
            ServiceName.create("inference", "GRPCInferenceService"),
            "ModelInfer",
            new GrpcMessageEncoder<>() {
              @Override
              public GrpcMessage encode(ModelInferRequest m, WireFormat format) {
                return GrpcMessage.message("identity", WireFormat.PROTOBUF, grpcBytes);
              }

              @Override
              public boolean accepts(WireFormat format) {
                return format == WireFormat.PROTOBUF;
              }
            },
            GrpcMessageDecoder.decoder(ModelInferResponse.newBuilder()));
    Supplier<Future<Boolean>> grpcRaw =
        () ->
            grpc.request(grpcAddress, preEncoded)
                .compose(req -> req.send(grpcRequest))
                .compose(resp -> resp.last().map(m -> resp.status() == GrpcStatus.OK))
                .otherwise(false);

    List<String> modes = new ArrayList<>(List.of("rest-json", "rest-binary", "grpc-raw"));
    List<Supplier<Future<Boolean>>> calls = new ArrayList<>(List.of(restJson, restBinary, grpcRaw));
    // MODES=grpc-raw,rest-binary runs only those (a profile of one mode, say).
    String only = System.getenv("MODES");
    if (only != null && !only.isBlank()) {
      List<String> keep = List.of(only.split(","));
      for (int i = modes.size() - 1; i >= 0; i--) {
        if (!keep.contains(modes.get(i))) {
          modes.remove(i);
          calls.remove(i);
        }
      }
    }
    // Warm-up: JIT and connections, every mode.
    for (int i = 0; i < modes.size(); i++) {
      slice(calls.get(i), Math.min(seconds, 3), concurrency);
    }
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < modes.size(); i++) {
        Result res = slice(calls.get(i), seconds, concurrency);
        System.out.printf(
            "mode=%s c=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f errors=%d%n",
            modes.get(i), concurrency, res.rps, res.p50, res.p99, res.errors);
      }
    }
    for (int round = 0; round < rounds; round++) {
      double[] e = engine(args.length > 6 ? args[6] : null, values, seconds);
      if (e != null) {
        System.out.printf(
            "mode=engine c=1 rps=%.1f p50_ms=%.3f p99_ms=%.3f errors=0%n", e[0], e[1], e[2]);
      }
    }
    http.close().await();
    grpc.close().await();
    vertx.close().await();
  }

  record Result(double rps, double p50, double p99, long errors) {}

  /**
   * The engine alone: an ONNX Runtime session on the model file with the runtime's settings (one
   * inter-op thread, intra-op threads = cores, no spinning), the same input, in a loop.
   */
  private static double[] engine(String modelFile, float[] values, double seconds)
      throws Exception {
    if (modelFile == null) {
      return null;
    }
    ai.onnxruntime.OrtEnvironment env = dev.kairos.generative.ort.OnnxEnvironment.get();
    ai.onnxruntime.OrtSession.SessionOptions o = new ai.onnxruntime.OrtSession.SessionOptions();
    o.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
    o.setInterOpNumThreads(1);
    o.addConfigEntry("session.intra_op.allow_spinning", "0");
    try (ai.onnxruntime.OrtSession s = env.createSession(modelFile, o);
        ai.onnxruntime.OnnxTensor t =
            ai.onnxruntime.OnnxTensor.createTensor(
                env, java.nio.FloatBuffer.wrap(values), new long[] {1, 3, 224, 224})) {
      String input = s.getInputNames().iterator().next();
      for (int i = 0; i < 200; i++) {
        s.run(java.util.Map.of(input, t)).close();
      }
      List<Long> l = new ArrayList<>();
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      while (System.nanoTime() < end) {
        long t0 = System.nanoTime();
        s.run(java.util.Map.of(input, t)).close();
        l.add(System.nanoTime() - t0);
      }
      double took = (System.nanoTime() - start) / 1e9;
      long[] a = l.stream().mapToLong(Long::longValue).sorted().toArray();
      return new double[] {a.length / took, a[a.length / 2] / 1e6, a[(int) (a.length * 0.99)] / 1e6};
    }
  }

  private static Result slice(Supplier<Future<Boolean>> call, double seconds, int concurrency)
      throws InterruptedException {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    AtomicLong errors = new AtomicLong();
    List<Promise<Void>> done = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < concurrency; i++) {
      Promise<Void> p = Promise.promise();
      done.add(p);
      loop(call, end, latencies, errors, p);
    }
    for (Promise<Void> p : done) {
      p.future().toCompletionStage().toCompletableFuture().join();
    }
    double took = (System.nanoTime() - start) / 1e9;
    long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    if (l.length == 0) {
      return new Result(0, 0, 0, errors.get());
    }
    return new Result(
        l.length / took, l[l.length / 2] / 1e6, l[(int) (l.length * 0.99)] / 1e6, errors.get());
  }

  private static void loop(
      Supplier<Future<Boolean>> call,
      long end,
      ConcurrentLinkedQueue<Long> latencies,
      AtomicLong errors,
      Promise<Void> done) {
    if (System.nanoTime() >= end) {
      done.complete();
      return;
    }
    long t0 = System.nanoTime();
    call.get()
        .onComplete(
            ar -> {
              if (ar.succeeded() && ar.result()) {
                latencies.add(System.nanoTime() - t0);
              } else {
                errors.incrementAndGet();
              }
              loop(call, end, latencies, errors, done);
            });
  }

  private static Future<Boolean> post(
      HttpClient http, java.net.URI u, String path, Buffer body, String type, String headerLength) {
    return http.request(
            new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(u.getHost())
                .setPort(u.getPort())
                .setURI(path))
        .compose(
            req -> {
              req.putHeader("Content-Type", type);
              if (headerLength != null) {
                req.putHeader("Inference-Header-Content-Length", headerLength);
              }
              return req.send(body);
            })
        .compose(resp -> resp.body().map(b -> resp.statusCode() == 200))
        .otherwise(false);
  }
}
