package dev.kairos.runtime.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kairos.runtime.server.RepositoryOperations;
import dev.kairos.sdk.oip.InvalidInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A runtime host's repository extension, as in Triton's explicit model control.
 *
 * <pre>
 * POST /v2/repository/models/{m}/load    {"parameters": {"model_dir": "/models/m", "version": "2"}}
 * POST /v2/repository/models/{m}/unload  {"parameters": {"version": "2"}}   (no version: all)
 * GET  /v2/repository/index
 * </pre>
 *
 * <p>{@code model_dir} is the model's folder ({@code model.yaml} and numbered versions); without
 * it, the host's repository root (if it has one) is searched for {@code {m}}. Without {@code
 * version}, the highest is loaded. A load answers with what it measured and what it evicted.
 */
public final class HostRepository implements RepositoryOperations {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ModelHost host;
  private final Path root;

  /**
   * @param root the folder holding model folders by name, or null when every load names its {@code
   *     model_dir}
   */
  public HostRepository(ModelHost host, Path root) {
    this.host = host;
    this.root = root;
  }

  @Override
  public CompletableFuture<byte[]> load(String model, byte[] body) {
    JsonNode params;
    Path dir;
    try {
      params = parameters(body);
      String modelDir = text(params, "model_dir");
      if (modelDir == null && root == null) {
        throw new InvalidInputException(
            "load needs parameters.model_dir: this host has no repository root to find '"
                + model
                + "' in");
      }
      dir = modelDir != null ? Path.of(modelDir) : root.resolve(model);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return host.load(model, dir, text(params, "version")).thenApply(HostRepository::loaded);
  }

  @Override
  public CompletableFuture<byte[]> unload(String model, byte[] body) {
    String version;
    try {
      version = text(parameters(body), "version");
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return host.unload(model, version)
        .thenApply(
            keys -> {
              ObjectNode out = JSON.createObjectNode();
              ArrayNode list = out.putArray("unloaded");
              keys.forEach(k -> list.add(key(k)));
              return bytes(out);
            });
  }

  @Override
  public CompletableFuture<byte[]> index() {
    ArrayNode out = JSON.createArrayNode();
    for (HostedView v : host.index()) {
      ObjectNode o = key(v.key());
      o.put("state", v.state());
      if (v.reason() != null) {
        o.put("reason", v.reason());
      }
      if (v.footprint() != null) {
        o.put("footprint_bytes", v.footprint().bytes());
        o.put("footprint_alone", v.footprint().alone());
        o.put("in_flight", v.inFlight());
        o.put("idle_ms", v.idleMillis());
      }
      out.add(o);
    }
    return CompletableFuture.completedFuture(bytes(out));
  }

  private static byte[] loaded(LoadOutcome o) {
    ObjectNode out = key(o.key());
    out.put("state", "READY");
    out.put("already_loaded", o.alreadyLoaded());
    out.put("load_ms", o.loadNanos() / 1e6);
    out.put("footprint_bytes", o.footprint().bytes());
    out.put("footprint_alone", o.footprint().alone());
    out.put("capacity", o.capacity());
    ArrayNode evicted = out.putArray("evicted");
    o.evicted().forEach(k -> evicted.add(key(k)));
    return bytes(out);
  }

  private static ObjectNode key(ModelKey k) {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", k.model());
    o.put("version", k.version());
    return o;
  }

  private static JsonNode parameters(byte[] body) {
    if (body.length == 0) {
      return JSON.createObjectNode();
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new InvalidInputException("repository request body is not JSON: " + e.getMessage());
    }
    if (root == null || root.isMissingNode()) {
      return JSON.createObjectNode();
    }
    if (!root.isObject()) {
      throw new InvalidInputException("repository request body must be a JSON object");
    }
    JsonNode params = root.get("parameters");
    if (params == null || params.isNull()) {
      return JSON.createObjectNode();
    }
    if (!params.isObject()) {
      throw new InvalidInputException("parameters must be a JSON object");
    }
    for (String name : List.of("model_dir", "version")) {
      JsonNode v = params.get(name);
      if (v != null && !v.isNull() && !v.isTextual()) {
        throw new InvalidInputException("parameters." + name + " must be a string, got " + v);
      }
    }
    return params;
  }

  private static String text(JsonNode params, String name) {
    JsonNode v = params.get(name);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static byte[] bytes(JsonNode n) {
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
