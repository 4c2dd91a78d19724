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
      ai.onnxruntime.OrtEnvironment.getEnvironment();
    } catch (RuntimeException | LinkageError e) {
      log.debug("onnxruntime warm-up skipped: {}", e.toString());
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
}
