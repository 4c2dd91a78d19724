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

  /** A tiny CNN (conv 3x3, relu, linear; 2 KB ONNX): session creation and runs, JIT-compiled. */
  private static final String TINY_ONNX =
      "CAgSB3B5dG9yY2gaBjEuMTMuMDraEAqUAQoBeAoIMC53ZWlnaHQKBjAuYmlhcxIQLzAvQ29udl9vdXRwdXRfMBoHLz"
          + "AvQ29udiIEQ29udioSCglkaWxhdGlvbnNAAUABoAEHKgwKBWdyb3VwGAGgAQIqFQoMa2VybmVsX3NoYXBlQANAA6AB"
          + "ByoRCgRwYWRzQABAAEAAQACgAQcqEAoHc3RyaWRlc0ABQAGgAQcKMwoQLzAvQ29udl9vdXRwdXRfMBIQLzEvUmVsdV"
          + "9vdXRwdXRfMBoHLzEvUmVsdSIEUmVsdQpJChAvMS9SZWx1X291dHB1dF8wEhMvMi9GbGF0dGVuX291dHB1dF8wGgov"
          + "Mi9GbGF0dGVuIgdGbGF0dGVuKgsKBGF4aXMYAaABAgppChMvMi9GbGF0dGVuX291dHB1dF8wCggzLndlaWdodAoGMy"
          + "5iaWFzEgF5GgcvMy9HZW1tIgRHZW1tKg8KBWFscGhhFQAAgD+gAQEqDgoEYmV0YRUAAIA/oAEBKg0KBnRyYW5zQhgB"
          + "oAECEgl0b3JjaF9qaXQqxwMIBAgDCAMIAxABQggwLndlaWdodEqwA4vavLrFbtM9VDIivtsHEb7MzZe9xGFTPVbkeb"
          + "v8QBw+1+iLvG6WUD0pOm69nPIavfxEPL7kgwK+A3mivbaa6TsJ0Zs93X3sPeKZBb7ioau9WCiPPcWkIz4tOiK9DngT"
          + "PiId/rxD0qY88nAyPqLQNr7sH/i9YZBHvYiimb2HRCo+23j/vUFvtb0orgm+KZE4vv0S5r1pZik+HN+vPRwHvz2a0y"
          + "U8ZRHKvTldBT2PADi+NGUOvpowy70urfg9YxfnPVTMrr38iuO7NhP8PajpQz4gbZw9FfvUPMshBD66Eei99OMSPeLJ"
          + "GL7ylQi+6JrLvTRWsj2xgZ498HfpvcYkbj3hXtg99vzGvNfH8DutpTY9jIP0PXI5PT6u3Re+iHCQvWrmmj0ESCM+pX"
          + "0rPpTiLT7Z4Bw9IV4rvugHkTwgk/a9wKg3vh8YLz7g1xU+7JREvgyLEz38ygS9NLgBvVZrtL1wkZc9/3Lpvc18kD2U"
          + "Ucc9dhMNPl1fkz3JC0O+DK3/vYbMxD21/CQ99boZvsXz4r12ZDk+3skEPp/aq72gZUa9Oro7vnuyYruMZxS+qgIYvi"
          + "oeCAQQAUIGMC5iaWFzShAVvC28G7bsPE9pob1e3+k9KpQJCAIIkAEQAUIIMy53ZWlnaHRKgAn2tk+9m9uaPWvqaT2Y"
          + "64+9sOepvABudjsgNEc8NumhPOjyBT1AkaM73osmveODIT06tqO9gE9KvVDkqryeRCa90NHuvNLhi72rNpG8puyRPP"
          + "NdXr3WIoy7AFh0PUtbDLxWyBc7VpLru7YoijyACFk90qmhPQjEWD2DCKI9gHzFu0RQmb2A0SG9aGpoPaucDbqTqCm9"
          + "rMiCvQC4n71IC5C9S3iKvHMwOz3wiTg9rJikvejqVD1cjIW9oFKQvL5mCr32fYO8YAmGvNIlmb0uXJO9i6VVvABBjT"
          + "omDxu9e5QAPSecmb0ASbi7bBaWPSY6C73PHJo99jr3PB8Fmr3w9Vc9S40dvKBfGL1jeYg9OOqJvcuBEjzW7Y68HsBz"
          + "PQuQvjwzAyQ9ABfxPAAqpLyLkY+8q6SMvRDzOD1vgYc9e4xpPebEcL0rk3M7Fp5wvQvmO72W5Ua9RkzpPLBnS71WTe"
          + "66gL9lOwYIXD2nAoG9W1RqvfsyRr0e6W49EGX1vJb0jz2A2/Y8AOMsPACeIrpb84a8q00rPCDim7yrfhm6ADUuPBB/"
          + "hb1O5zK95s+JPQSBir0rFMS7gNSoPcCa9jyAoBo7xOaTvcgWKT0LIHO94MjBvLsL5bxLMEq8VvNuOmTEjD1Wcio8a9"
          + "2YPUDMUD2zy1e94xYZPYZJcb1oqhC9q8nIPEBp4Tz3CYA94MLbvKviCzn4uS895wylvQPHdj3LII29q4qWOishaLxj"
          + "xTO9IHU0PKIgjT2Ljse8yKVKvQZ6/LzvJ6m9aBMaPRbuI70WyWO9g6REvW5ARD3bwjQ9i/2CPXae9zyw++O8G8W+vC"
          + "CuyTw/S4w9m5y5PBOAIb3+cyC9LFyhvSB9kzzgjD+9iymYvVKnlT1rql29i1IbvGCUwzwr/S07Tq1lvR70ib0QCYg9"
          + "QFRePNqWjT2L2+S8SxXJPBAcnLwr33K7GONPvebg5jwA1tc8q1HhuoCImbx2aFK9GwxsPcYYfr0e1Qs9kIzlvLOuJL"
          + "2ARnU82E4xvStKnTwLEIY8uG99vXZTYzxDYhE9PhwHPcvdK7wS6Yu9wHhSvGsY7TzmFvm8TpABPbNQYz1OOjK9Vm9X"
          + "OhgkDT0WBtY7wBjkO6B7KjxSK4a9K5nWO/BcbD1Dypk9dp5IPXb1NjxTaB89Pg0mvfNtjb2HwpK9PEKqPb6sWD3u8G"
          + "u9TosFPcfhgD3Xmao95jqVPYM5hD32gZy8gJPvvCwgjD24Rj89QGhNvapumT0L6yQ9qxI6PY7wVb1g28M8O1HvvP5Z"
          + "hT3LrXW8puIEPVaDcjz7ORE9K/3nvKNsJj1TaW69Bi+aPIDxZr18Xqi9Cw6JvXq8hj1rrDg9Rh+gPYa5iD3AaZi9vu"
          + "9ovTadXLxDrF29SwVtPXwGgb17iSa9LuGkvV7KQb2XXow9LLyLPdtWdD3CxoM9J8GXPUDOrrz4LxY9WA2YPcbW4TyH"
          + "nKo9dgkxPXYwVD2Q7e68+McjPcDiHDxbCKO8uGlAvR6HP70iU4O9viVlPR6qcj1rZBu8W4ZFvcLogz0qFggCEAFCBj"
          + "MuYmlhc0oIZkdaPUD7yjtaHAoBeBIXChUIARIRCgMSAW4KAggDCgIICAoCCAhiFAoBeRIPCg0IARIJCgMSAW4KAggC"
          + "QgIQEQ==";

  private static void onnxRuntime() throws ai.onnxruntime.OrtException {
    ai.onnxruntime.OrtEnvironment env = dev.kairos.generative.ort.OnnxEnvironment.get();
    byte[] model = java.util.Base64.getDecoder().decode(TINY_ONNX);
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
