package dev.kairos.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.Simulation;

/**
 * How long does the first request to a model at zero replicas take? Start the platform with the
 * model at {@code minReplicas: 0} and let it scale to zero first. One request arrives alone (the
 * cold start), then 20 more over 10 s (warm). The report's "cold" and "warm" groups compare them.
 * Passes when nothing fails and the cold request answers within {@code kairos.coldStartMs} (default
 * 5000).
 */
public class ColdStart extends Simulation {
  {
    String model = Target.models().get(0);
    String body = Target.goldenRequest(model);
    setUp(
            scenario("cold " + model)
                .group("cold")
                .on(
                    exec(
                        http("first request at zero")
                            .post("/v2/models/" + model + "/infer")
                            .body(StringBody(body))
                            .check(status().is(200))))
                .injectOpen(atOnceUsers(1))
                .andThen(
                    scenario("warm " + model)
                        .group("warm")
                        .on(
                            exec(
                                http("warm request")
                                    .post("/v2/models/" + model + "/infer")
                                    .body(StringBody(body))
                                    .check(status().is(200))))
                        .injectOpen(constantUsersPerSec(2).during(10))))
        .protocols(Target.protocol())
        .assertions(
            global().failedRequests().count().is(0L),
            details("cold")
                .responseTime()
                .max()
                .lt((int) Target.number("kairos.coldStartMs", 5000)));
  }
}
