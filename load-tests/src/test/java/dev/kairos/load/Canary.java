package dev.kairos.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.Simulation;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Does the traffic split between versions hold under load? Sends {@code kairos.rate} req/s for
 * {@code kairos.seconds} to a model without naming a version and counts {@code model_version} in
 * the answers. {@code kairos.split} (e.g. {@code 1:90,2:10}) is the expected split; after the run
 * the observed shares must be within {@code kairos.splitTolerance} percentage points (default 3),
 * else the run fails.
 */
public class Canary extends Simulation {
  private final Map<String, LongAdder> versions = new ConcurrentHashMap<>();
  private final Map<String, Double> expected = new TreeMap<>();

  {
    String model = Target.models().get(0);
    for (String part : System.getProperty("kairos.split", "1:100").split(",")) {
      String[] kv = part.split(":");
      expected.put(kv[0].trim(), Double.parseDouble(kv[1].trim()));
    }
    setUp(
            scenario("canary " + model)
                .exec(
                    http("infer " + model)
                        .post("/v2/models/" + model + "/infer")
                        .body(StringBody(Target.goldenRequest(model)))
                        .check(status().is(200), jsonPath("$.model_version").saveAs("version")))
                .exec(
                    session -> {
                      if (session.contains("version")) {
                        versions
                            .computeIfAbsent(session.getString("version"), v -> new LongAdder())
                            .increment();
                      }
                      return session;
                    })
                .injectOpen(constantUsersPerSec(Target.rate()).during(Target.seconds())))
        .protocols(Target.protocol())
        .assertions(global().failedRequests().percent().lt(1.0));
  }

  @Override
  public void after() {
    long total = versions.values().stream().mapToLong(LongAdder::sum).sum();
    double tolerance = Target.number("kairos.splitTolerance", 3);
    StringBuilder report = new StringBuilder("observed split over " + total + " answers:");
    boolean ok = total > 0;
    for (Map.Entry<String, Double> e : expected.entrySet()) {
      LongAdder n = versions.get(e.getKey());
      double share = total == 0 || n == null ? 0 : 100.0 * n.sum() / total;
      report.append(String.format(" v%s %.1f%% (want %.0f%%)", e.getKey(), share, e.getValue()));
      ok &= Math.abs(share - e.getValue()) <= tolerance;
    }
    System.out.println(report);
    if (!ok) {
      throw new IllegalStateException(report + " is off by more than " + tolerance + " points");
    }
  }
}
