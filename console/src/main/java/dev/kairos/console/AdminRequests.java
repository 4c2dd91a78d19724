package dev.kairos.console;

import dev.kairos.gateway.admin.AdminException;
import dev.kairos.sdk.oip.OipPath;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * Reading the console's admin requests and answering them, the way the admin API does: client
 * mistakes become {@link AdminException}s (4xx with {@code {"error": ...}} at the admin server's
 * failure handler), answers are JSON.
 */
final class AdminRequests {
  private AdminRequests() {}

  /** Runs {@code work} off the event loop and answers its result as JSON. */
  static <T> void blocking(Vertx vertx, RoutingContext ctx, Callable<T> work) {
    vertx
        .executeBlocking(work, false)
        .onSuccess(v -> json(ctx, v))
        .onFailure(
            e ->
                ctx.fail(e instanceof IOException ? AdminException.badRequest(e.getMessage()) : e));
  }

  static String model(RoutingContext ctx) {
    String m = ctx.pathParam("model");
    if (!OipPath.isValidName(m)) {
      throw AdminException.badRequest("invalid model name '" + m + "'");
    }
    return m;
  }

  static int intParam(RoutingContext ctx, String name, int dflt, int min, int max) {
    String v = ctx.queryParams().get(name);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw AdminException.badRequest(name + " = " + n + ", must be " + min + ".." + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw AdminException.badRequest(name + " = '" + v + "', must be an integer");
    }
  }

  static JsonObject bodyObject(RoutingContext ctx) {
    try {
      JsonObject o = ctx.body().isEmpty() ? new JsonObject() : ctx.body().asJsonObject();
      return o == null ? new JsonObject() : o;
    } catch (DecodeException | ClassCastException e) {
      throw AdminException.badRequest("request body is not a JSON object: " + e.getMessage());
    }
  }

  static void json(RoutingContext ctx, Object body) {
    if (ctx.response().ended()) {
      return;
    }
    String text = body instanceof JsonArray a ? a.encode() : ((JsonObject) body).encode();
    ctx.response().putHeader("Content-Type", "application/json").end(text);
  }
}
