package dev.kairos.console;

import dev.kairos.gateway.admin.AdminExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The console's static pages (HTML, one script, one style sheet; charts are plain SVG drawn by the
 * script), read from the classpath once and served under {@code /console/} without a key: they hold
 * no data, and ask the admin API for it with the key the operator types in.
 */
public final class ConsolePages implements AdminExtension {
  /** Where {@code kairos serve} prints the console to be. */
  public static final String PATH = "/console/";

  private static final String ROOT = "dev/kairos/console/web/";
  private static final Map<String, String> FILES =
      Map.of(
          "index.html", "text/html; charset=utf-8",
          "app.js", "text/javascript; charset=utf-8",
          "style.css", "text/css; charset=utf-8");

  private final Map<String, Buffer> content = new LinkedHashMap<>();

  public ConsolePages() {
    for (String f : FILES.keySet()) {
      try (InputStream in = getClass().getClassLoader().getResourceAsStream(ROOT + f)) {
        if (in == null) {
          throw new IllegalStateException("console page " + f + " is missing from the classpath");
        }
        content.put(f, Buffer.buffer(in.readAllBytes()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public void install(Router router) {
    router
        .get("/console")
        .handler(
            ctx -> {
              if (ctx.normalizedPath().equals("/console")) {
                ctx.redirect(PATH);
              } else {
                ctx.next(); // Vert.x lets /console match /console/ too
              }
            });
    router
        .get("/console/*")
        .handler(
            ctx -> {
              String name = ctx.normalizedPath().substring(PATH.length());
              if (name.isEmpty()) {
                name = "index.html";
              }
              Buffer body = content.get(name);
              if (body == null) {
                ctx.next();
                return;
              }
              ctx.response()
                  .putHeader("Content-Type", FILES.get(name))
                  .putHeader("Cache-Control", "no-cache")
                  .putHeader("X-Content-Type-Options", "nosniff")
                  .putHeader(
                      "Content-Security-Policy",
                      "default-src 'self'; img-src 'self' data:; style-src 'self'")
                  .end(body);
            });
  }
}
