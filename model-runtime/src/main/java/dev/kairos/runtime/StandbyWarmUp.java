package dev.kairos.runtime;

import dev.kairos.runtime.engine.EngineRegistry;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.OipJsonDecoder;
import dev.kairos.sdk.oip.OipJsonEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a standby replica does before it has a model: loads the engines and their native libraries,
 * and runs the request codec until the JIT has compiled it, so the first real request finds a warm
 * process.
 */
final class StandbyWarmUp {
  private static final Logger log = LoggerFactory.getLogger(StandbyWarmUp.class);

  private StandbyWarmUp() {}

  static void run() {
    long t0 = System.nanoTime();
    EngineRegistry.discover();
    try {
      onnxRuntime();
    } catch (Exception | LinkageError e) {
      log.debug("onnxruntime warm-up skipped: {}", e.toString());
    }
    try {
      vertx();
    } catch (RuntimeException e) {
      log.debug("vert.x warm-up skipped: {}", e.toString());
    }
    StringBuilder json = new StringBuilder("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",");
    json.append("\"shape\":[1,4096],\"data\":[");
    for (int i = 0; i < 4096; i++) {
      json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", i * 0.37 % 3 - 1));
    }
    json.append("]}]}");
    byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
    OipJsonDecoder decoder = new OipJsonDecoder();
    OipJsonEncoder encoder = new OipJsonEncoder();
    for (int i = 0; i < 200; i++) {
      InferenceRequest r = decoder.decodeRequest(body);
      encoder.encodeError("warm-up " + r.inputs().size());
    }
    log.info("standby replica warmed up in {} ms", (System.nanoTime() - t0) / 1_000_000);
  }

  private static void onnxRuntime() throws ai.onnxruntime.OrtException {
    ai.onnxruntime.OrtEnvironment env = dev.kairos.generative.ort.OnnxEnvironment.get();
    byte[] model = WarmUpModel.onnx();
    try (ai.onnxruntime.OrtSession.SessionOptions so =
            new ai.onnxruntime.OrtSession.SessionOptions();
        ai.onnxruntime.OrtSession session = env.createSession(model, so)) {
      float[] input = new float[3 * 8 * 8];
      for (int i = 0; i < 20; i++) {
        try (ai.onnxruntime.OnnxTensor x =
                ai.onnxruntime.OnnxTensor.createTensor(
                    env, java.nio.FloatBuffer.wrap(input), new long[] {1, 3, 8, 8});
            ai.onnxruntime.OrtSession.Result r = session.run(java.util.Map.of("x", x))) {
          r.get(0);
        }
      }
    }
  }

  /** An HTTP server on a throwaway Vert.x, answered once: loads and links Vert.x and Netty. */
  private static void vertx() {
    io.vertx.core.Vertx v = io.vertx.core.Vertx.vertx();
    try {
      io.vertx.core.http.HttpServer server =
          v.createHttpServer()
              .requestHandler(req -> req.body().onComplete(b -> req.response().end("{}")))
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .join();
      io.vertx.core.http.HttpClient client = v.createHttpClient();
      client
          .request(io.vertx.core.http.HttpMethod.POST, server.actualPort(), "127.0.0.1", "/")
          .compose(req -> req.send("{\"warm\":1}"))
          .compose(resp -> resp.body())
          .toCompletionStage()
          .toCompletableFuture()
          .join();
    } finally {
      v.close().toCompletionStage().toCompletableFuture().join();
    }
  }
}
