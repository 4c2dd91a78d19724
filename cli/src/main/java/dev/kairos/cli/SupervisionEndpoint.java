package dev.kairos.cli;

import dev.kairos.autoscaler.scaler.ScaleTarget;
import dev.kairos.gateway.admin.AdminExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.Map;

/**
 * {@code GET /admin/supervision}: per model version, the replicas ready and starting, how many were
 * replaced (after exiting on their own, being sent SIGTERM, or hanging), which one left last, why
 * and when, when the pending replacement starts, and the replica-seconds its processes have used.
 */
final class SupervisionEndpoint implements AdminExtension {
  private final LocalAutoscaling autoscaling;

  SupervisionEndpoint(LocalAutoscaling autoscaling) {
    this.autoscaling = autoscaling;
  }

  @Override
  public void install(Router router) {
    router
        .get("/admin/supervision")
        .handler(
            ctx -> {
              JsonArray out = new JsonArray();
              for (Map.Entry<ScaleTarget, LocalScaler.Supervision> e :
                  autoscaling.supervision().entrySet()) {
                LocalScaler.Supervision s = e.getValue();
                out.add(
                    new JsonObject()
                        .put("model", e.getKey().model())
                        .put("version", e.getKey().version())
                        .put("state", s.starting() > 0 ? "RESTARTING" : "RUNNING")
                        .put("ready", s.ready())
                        .put("starting", s.starting())
                        .put("restarts", s.restarts())
                        .put("lastExit", s.lastExit())
                        .put("lastExitAt", s.lastExitAt())
                        .put("restartInMillis", s.restartInMillis())
                        .put("replicaSeconds", s.replicaSeconds()));
              }
              ctx.response()
                  .putHeader("Content-Type", "application/json")
                  .end(new JsonObject().put("replicas", out).encode());
            });
  }
}
