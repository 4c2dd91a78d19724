package dev.kairos.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kairos.gateway.protocol.InputSpec;
import dev.kairos.gateway.route.Replica;
import dev.kairos.sdk.replica.ReplicaToken;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The inputs (names, datatypes) of each model version, read once from a replica's OIP metadata; the
 * translated protocols need them to build OIP requests.
 */
final class InputsCache {
  private final HttpClient client;
  private final ObjectMapper mapper = new ObjectMapper();
  private final Map<String, List<InputSpec>> known = new ConcurrentHashMap<>();

  private final ReplicaToken token;

  /**
   * @param token shown to replicas, or null
   */
  InputsCache(HttpClient client, ReplicaToken token) {
    this.client = client;
    this.token = token;
  }

  Future<List<InputSpec>> inputs(String model, String version, Replica replica) {
    String key = model + '\0' + version;
    List<InputSpec> k = known.get(key);
    if (k != null) {
      return Future.succeededFuture(k);
    }
    RequestOptions ro =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(replica.host())
            .setPort(replica.port())
            .setURI("/v2/models/" + model + "/versions/" + version)
            .setIdleTimeout(10_000);
    if (token != null) {
      ro.putHeader(ReplicaToken.HEADER, token.secret());
    }
    return client
        .request(ro)
        .compose(r -> r.send())
        .compose(
            (HttpClientResponse resp) ->
                resp.body()
                    .map(
                        b -> {
                          if (resp.statusCode() != 200) {
                            throw new IllegalStateException(
                                "metadata of model '" + model + "' answered " + resp.statusCode());
                          }
                          List<InputSpec> specs = parse(b.getBytes());
                          known.put(key, specs);
                          return specs;
                        }));
  }

  /** Forgets a model's inputs (after it is reloaded). */
  void forget(String model) {
    known.keySet().removeIf(k -> k.startsWith(model + '\0'));
  }

  private List<InputSpec> parse(byte[] body) {
    try {
      JsonNode inputs = mapper.readTree(body).get("inputs");
      List<InputSpec> out = new ArrayList<>();
      if (inputs != null) {
        for (JsonNode in : inputs) {
          out.add(new InputSpec(in.get("name").asText(), in.get("datatype").asText()));
        }
      }
      return List.copyOf(out);
    } catch (IOException e) {
      throw new IllegalStateException("malformed model metadata: " + e.getMessage(), e);
    }
  }
}
