package dev.kairos.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.Simulation;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * How do light and heavy models fare together? Requests go to {@code kairos.lightModels} (default:
 * the first of {@code kairos.models}) and {@code kairos.heavyModels} (default: the rest) in a fixed
 * ratio ({@code kairos.heavyShare}, default 0.2); within a class, models are picked by Zipf
 * popularity (s = 1.1, seeded), as a few models get most traffic in real fleets. Each model is a
 * separate request name in the report. Passes when under 1% fail and light p99 stays under {@code
 * kairos.lightP99Ms} (default 200).
 */
public class MultiModelMix extends Simulation {
  private static List<String> list(String property, List<String> dflt) {
    String v = System.getProperty(property, "");
    return v.isBlank() ? dflt : List.of(v.split(","));
  }

  /** Cumulative Zipf weights over n items. */
  private static double[] zipf(int n, double s) {
    double[] cum = new double[n];
    double total = 0;
    for (int i = 0; i < n; i++) {
      total += 1 / Math.pow(i + 1, s);
      cum[i] = total;
    }
    for (int i = 0; i < n; i++) {
      cum[i] /= total;
    }
    return cum;
  }

  private static String pick(List<String> models, double[] cum, double u) {
    for (int i = 0; i < cum.length; i++) {
      if (u <= cum[i]) {
        return models.get(i);
      }
    }
    return models.get(models.size() - 1);
  }

  {
    List<String> all = Target.models();
    List<String> light = list("kairos.lightModels", all.subList(0, 1));
    List<String> heavy =
        list("kairos.heavyModels", all.size() > 1 ? all.subList(1, all.size()) : all);
    double heavyShare = Target.number("kairos.heavyShare", 0.2);
    double[] lightCum = zipf(light.size(), 1.1);
    double[] heavyCum = zipf(heavy.size(), 1.1);
    Map<String, String> bodies = new HashMap<>();
    Stream.concat(light.stream(), heavy.stream())
        .forEach(m -> bodies.put(m, Target.goldenRequest(m)));
    SplittableRandom random = new SplittableRandom(42);
    Iterator<Map<String, Object>> feeder =
        Stream.generate(
                () -> {
                  boolean isHeavy;
                  double u;
                  synchronized (random) {
                    isHeavy = random.nextDouble() < heavyShare;
                    u = random.nextDouble();
                  }
                  String m = isHeavy ? pick(heavy, heavyCum, u) : pick(light, lightCum, u);
                  return Map.<String, Object>of("model", m, "body", bodies.get(m));
                })
            .iterator();
    setUp(
            scenario("mix")
                .feed(feeder)
                .exec(
                    http("infer #{model}")
                        .post("/v2/models/#{model}/infer")
                        .body(StringBody("#{body}"))
                        .check(status().is(200)))
                .injectOpen(
                    rampUsersPerSec(1).to(Target.rate()).during(20),
                    constantUsersPerSec(Target.rate()).during(Target.seconds())))
        .protocols(Target.protocol())
        .assertions(
            global().failedRequests().percent().lt(1.0),
            details("infer " + light.get(0))
                .responseTime()
                .percentile(99.0)
                .lt((int) Target.number("kairos.lightP99Ms", 200)));
  }
}
