package dev.kairos.gateway.admin;

import io.vertx.ext.web.Router;

/**
 * Extra endpoints of the admin API (bundle upload of {@code kairos deploy}, the console...).
 * Installed routes sit behind the admin key check like the built-in ones; they read bodies
 * themselves (add a {@code BodyHandler} with a limit of your choice on your own routes).
 *
 * <pre>{@code
 * admin.install(router -> router.get("/admin/hello").handler(ctx -> ctx.end("hi")));
 * }</pre>
 */
@FunctionalInterface
public interface AdminExtension {
  void install(Router router);
}
