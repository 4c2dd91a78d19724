package dev.kairos.gateway.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kairos.sdk.oip.InvalidInputException;
import java.util.List;

/**
 * DJL Serving's {@code POST /predictions/{m}[/{v}]} for JSON tensors, so its users can move over.
 *
 * <p>In: a nested array (the model's only input, shape from the nesting, batch dimension included),
 * or an object {@code {input: nested array}}. Out: the only output as a nested array, or an object
 * {@code {output: nested array}}.
 */
public final class DjlPredictions implements Translation {
  private final ObjectMapper mapper = new ObjectMapper();
  private final TensorJson json = new TensorJson(mapper);

  @Override
  public byte[] toOip(byte[] body, List<InputSpec> inputs) {
    JsonNode root = json.parse(body);
    if (inputs.isEmpty()) {
      throw new InvalidInputException("the model declares no inputs");
    }
    ObjectNode req = mapper.createObjectNode();
    ArrayNode ins = req.putArray("inputs");
    if (root.isArray()) {
      if (inputs.size() != 1) {
        throw new InvalidInputException(
            "the model has " + inputs.size() + " inputs: send an object {input name: array}");
      }
      InputSpec spec = inputs.get(0);
      ins.add(json.input(spec.name(), spec.datatype(), List.of(), root));
    } else if (root.isObject()) {
      for (InputSpec spec : inputs) {
        JsonNode v = root.get(spec.name());
        if (v == null) {
          throw new InvalidInputException("missing input '" + spec.name() + "'");
        }
        ins.add(json.input(spec.name(), spec.datatype(), List.of(), v));
      }
    } else {
      throw new InvalidInputException("request body must be a JSON array or object of arrays");
    }
    return json.write(req);
  }

  @Override
  public byte[] fromOip(byte[] oipResponse) {
    JsonNode outs = json.outputs(oipResponse);
    if (outs.size() == 1) {
      JsonNode out = outs.get(0);
      return json.write(
          TensorJson.nest(mapper, out.get("data"), TensorJson.shape(out), 0, new int[1]));
    }
    ObjectNode resp = mapper.createObjectNode();
    for (JsonNode out : outs) {
      resp.set(
          out.get("name").asText(),
          TensorJson.nest(mapper, out.get("data"), TensorJson.shape(out), 0, new int[1]));
    }
    return json.write(resp);
  }
}
