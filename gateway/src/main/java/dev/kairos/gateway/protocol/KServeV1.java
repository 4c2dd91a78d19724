package dev.kairos.gateway.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kairos.sdk.oip.InvalidInputException;
import java.util.List;

/**
 * KServe v1 {@code POST /v1/models/{m}:predict}: {@code {"instances": [...]}} (row format) or
 * {@code {"inputs": ...}} in, {@code {"predictions": [...]}} out.
 *
 * <p>Each instance is one row of the batch: a nested array for a single-input model, or an object
 * {@code {input: nested array}} for several inputs. Predictions are one entry per row: the row of
 * the only output, or an object {@code {output: row}} when the model has several.
 */
public final class KServeV1 implements Translation {
  private final ObjectMapper mapper = new ObjectMapper();
  private final TensorJson json = new TensorJson(mapper);

  @Override
  public byte[] toOip(byte[] body, List<InputSpec> inputs) {
    JsonNode root = json.parse(body);
    JsonNode instances = root.has("instances") ? root.get("instances") : root.get("inputs");
    if (instances == null || !instances.isArray() || instances.isEmpty()) {
      throw new InvalidInputException("'instances' must be a non-empty array of rows");
    }
    if (inputs.isEmpty()) {
      throw new InvalidInputException("the model declares no inputs");
    }
    ObjectNode req = mapper.createObjectNode();
    ArrayNode ins = req.putArray("inputs");
    long rows = instances.size();
    if (inputs.size() == 1 && !instances.get(0).isObject()) {
      InputSpec spec = inputs.get(0);
      ins.add(json.input(spec.name(), spec.datatype(), List.of(), instances));
    } else {
      for (InputSpec spec : inputs) {
        ArrayNode column = mapper.createArrayNode();
        for (JsonNode row : instances) {
          JsonNode v = row.isObject() ? row.get(spec.name()) : null;
          if (v == null) {
            throw new InvalidInputException(
                "instance lacks input '"
                    + spec.name()
                    + "' (each instance must be an object of"
                    + " every input)");
          }
          column.add(v);
        }
        ins.add(json.input(spec.name(), spec.datatype(), List.of(), column));
      }
    }
    if (rows == 0) {
      throw new InvalidInputException("'instances' is empty");
    }
    return json.write(req);
  }

  @Override
  public byte[] fromOip(byte[] oipResponse) {
    JsonNode outs = json.outputs(oipResponse);
    ObjectNode resp = mapper.createObjectNode();
    ArrayNode predictions = resp.putArray("predictions");
    if (outs.size() == 1) {
      JsonNode out = outs.get(0);
      JsonNode nested =
          TensorJson.nest(mapper, out.get("data"), TensorJson.shape(out), 0, new int[1]);
      if (nested.isArray()) {
        nested.forEach(predictions::add);
      } else {
        predictions.add(nested);
      }
      return json.write(resp);
    }
    int rows = -1;
    ArrayNode[] perOutput = new ArrayNode[outs.size()];
    for (int i = 0; i < outs.size(); i++) {
      JsonNode out = outs.get(i);
      perOutput[i] =
          (ArrayNode)
              TensorJson.nest(mapper, out.get("data"), TensorJson.shape(out), 0, new int[1]);
      rows = Math.max(rows, perOutput[i].size());
    }
    for (int r = 0; r < rows; r++) {
      ObjectNode row = mapper.createObjectNode();
      for (int i = 0; i < outs.size(); i++) {
        row.set(outs.get(i).get("name").asText(), perOutput[i].get(r));
      }
      predictions.add(row);
    }
    return json.write(resp);
  }
}
