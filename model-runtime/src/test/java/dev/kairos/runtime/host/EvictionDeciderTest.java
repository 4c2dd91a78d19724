package dev.kairos.runtime.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EvictionDeciderTest {
  /** "name:bytes:lastUsed[:busy]" separated by spaces; busy ones have requests in flight. */
  private static List<Resident> residents(String spec) {
    if (spec == null || spec.isBlank()) {
      return List.of();
    }
    return Arrays.stream(spec.trim().split("\\s+"))
        .map(
            s -> {
              String[] f = s.split(":");
              return new Resident(
                  new ModelKey(f[0], "1"),
                  Long.parseLong(f[1]),
                  Long.parseLong(f[2]),
                  !(f.length > 3 && f[3].equals("busy")));
            })
        .toList();
  }

  private static String names(List<ModelKey> keys) {
    return String.join(" ", keys.stream().map(ModelKey::model).toList());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        // label                         | residents                     | budget | needed | fits |
        // evict  | reason
        "empty host                      | -                             | 100    | 40     | true  | ''    | -",
        "room left                       | a:30:1 b:30:2                 | 100    | 20     | true  | ''    | -",
        "exactly full after load         | a:30:1 b:30:2                 | 100    | 40     | true  | ''    | -",
        "least recently used goes first  | a:30:5 b:30:1 c:30:9          | 100    | 30     | true  | b     | -",
        "only as many as needed          | a:20:1 b:20:2 c:20:3 d:20:4   | 100    | 50     | true  | a b   | -",
        "small old one spared            | a:10:1 b:60:2 c:20:3          | 100    | 60     | true  | b     | -",
        "busy model never evicted        | a:50:1:busy b:40:2            | 100    | 40     | true  | b     | -",
        "busy ones block the load        | a:50:1:busy b:40:2:busy       | 100    | 40     | false | ''    | IN_USE",
        "no partial eviction when short  | a:50:1:busy b:20:2            | 100    | 60     | false | ''    | IN_USE",
        "larger than the whole budget    | a:10:1                        | 100    | 101    | false | ''    | LARGER_THAN_BUDGET",
        "whole budget on an empty host   | -                             | 100    | 100    | true  | ''    | -",
        "loading model counts, pinned    | a:70:1:busy b:20:2            | 100    | 20     | true  | b     | -",
      })
  void shouldEvictLeastRecentlyUsedOnlyAsFarAsNeeded(
      String label,
      String residents,
      long budget,
      long needed,
      boolean fits,
      String evict,
      EvictionPlan.Reason reason) {
    EvictionPlan plan = EvictionDecider.forSpace(residents(residents), budget, needed);
    assertThat(plan.fits()).isEqualTo(fits);
    assertThat(names(plan.evict())).isEqualTo(evict);
    assertThat(plan.reason()).isEqualTo(reason);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        // label                      | residents                    | now | idleAfter | evict
        "none idle yet                | a:10:50 b:10:60              | 100 | 60        | ''",
        "idle exactly at the limit    | a:10:40 b:10:60              | 100 | 60        | a",
        "oldest first                 | a:10:20 b:10:10 c:10:90      | 100 | 60        | b a",
        "busy model is not idle       | a:10:0:busy b:10:0           | 100 | 60        | b",
        "idle eviction off            | a:10:0                       | 100 | 0         | ''",
        "empty host                   | -                            | 100 | 60        | ''",
      })
  void shouldUnloadModelsIdleLongerThanTheLimit(
      String label, String residents, long now, long idleAfter, String evict) {
    List<ModelKey> idle =
        EvictionDecider.idle(residents(residents), now, Duration.ofNanos(idleAfter));
    assertThat(names(idle)).isEqualTo(evict);
  }
}
