package dev.kairos.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * What latency does one model give at a constant request rate? Open model: arrivals do not wait for
 * answers, as in production. {@code kairos.rampSeconds} of ramp (default 20: JIT warm-up) then
 * {@code kairos.rate} req/s for {@code kairos.seconds}. Passes when under 1% fail and p99 stays
 * under {@code kairos.p99Ms} (default 500). CI runs it briefly as a smoke test ({@code
 * load-tests/smoke.sh}).
 */
public class SteadyState extends Simulation {
  {
    String model = Target.models().get(0);
    ScenarioBuilder infer =
        scenario("steady " + model)
            .exec(
                http("infer " + model)
                    .post("/v2/models/" + model + "/infer")
                    .body(StringBody(Target.goldenRequest(model)))
                    .check(status().is(200)));
    setUp(
            infer.injectOpen(
                rampUsersPerSec(1)
                    .to(Target.rate())
                    .during((int) Target.number("kairos.rampSeconds", 20)),
                constantUsersPerSec(Target.rate()).during(Target.seconds())))
        .protocols(Target.protocol())
        .assertions(
            global().failedRequests().percent().lt(1.0),
            global().responseTime().percentile(99.0).lt((int) Target.number("kairos.p99Ms", 500)));
  }
}
