package dev.kairos.gateway.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The gateway's side of Triton's generate extension ({@code POST
 * /v2/models/{m}[/versions/{v}]/generate[_stream]}): bodies pass unparsed to the replica; the
 * gateway only speaks the format when it ends a stream itself.
 */
public final class TritonGenerate {
  private static final JsonFactory JSON = new JsonFactory();

  private TritonGenerate() {}

  /**
   * The event that ends a {@code generate_stream} broken off mid-way (a replica died), as Triton
   * writes an error inside a stream: {@code data: {"error": "..."}}.
   */
  public static byte[] streamError(String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("data: ".getBytes(StandardCharsets.US_ASCII));
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("error", message);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.writeBytes("\n\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }
}
