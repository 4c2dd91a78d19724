package dev.kairos.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.Simulation;

/**
 * Does the platform absorb a 10x step? {@code kairos.rate} req/s for 30 s, ten times that for 60 s,
 * then back for 30 s; with the autoscaler on, replicas should follow (watch the console or {@code
 * kairos models}). Passes when under {@code kairos.maxErrorPercent} (default 1) fail; rejections
 * (429/503) count as failures.
 */
public class Burst extends Simulation {
  {
    String model = Target.models().get(0);
    double base = Target.rate();
    setUp(
            scenario("burst " + model)
                .exec(
                    http("infer " + model)
                        .post("/v2/models/" + model + "/infer")
                        .body(StringBody(Target.goldenRequest(model)))
                        .check(status().is(200)))
                .injectOpen(
                    constantUsersPerSec(base).during(30),
                    constantUsersPerSec(base * 10).during(60),
                    constantUsersPerSec(base).during(30)))
        .protocols(Target.protocol())
        .assertions(
            global().failedRequests().percent().lt(Target.number("kairos.maxErrorPercent", 1.0)));
  }
}
