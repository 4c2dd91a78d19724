package dev.kairos.gateway.protocol;

import java.util.List;

/**
 * A foreign inference protocol spoken on the public port, translated to and from OIP v2 JSON so
 * replicas only ever speak OIP. Bad input throws {@link dev.kairos.sdk.oip.InvalidInputException}
 * (answered 400).
 */
public interface Translation {
  /** The client's request body as an OIP v2 inference request body. */
  byte[] toOip(byte[] body, List<InputSpec> inputs);

  /** A successful OIP v2 inference response body in the client's protocol. */
  byte[] fromOip(byte[] oipResponse);
}
