import dev.kairos.multiplexer.arbiter.SliceRequest;
import dev.kairos.multiplexer.arbiter.policy.SlicePolicies;
import dev.kairos.multiplexer.arbiter.uds.ArbiterServer;
import dev.kairos.multiplexer.arbiter.uds.UnixSocketArbiterClient;
import dev.kairos.sdk.time.Clock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Acquire + release round trips against a real arbiter server on a Unix domain socket, one client
 * thread (the runtime's batch loop), percentiles per round. Run by {@code
 * tools/bench/multiplexer/roundtrip.sh}.
 *
 * <pre>RoundTripBench [--policy deadline] [--rounds 5] [--iterations 20000] [--warmup 20000]</pre>
 */
public final class RoundTripBench {
  private RoundTripBench() {}

  public static void main(String[] args) throws Exception {
    String policy = arg(args, "--policy", "deadline");
    int rounds = Integer.parseInt(arg(args, "--rounds", "5"));
    int iterations = Integer.parseInt(arg(args, "--iterations", "20000"));
    int warmup = Integer.parseInt(arg(args, "--warmup", "20000"));
    Path dir = Files.createTempDirectory("kairos-arbiter-bench");
    Path socket = dir.resolve("bench.sock");
    Clock clock = Clock.system();
    try (ArbiterServer server =
            ArbiterServer.start(socket, "bench", SlicePolicies.create(policy), clock, true);
        UnixSocketArbiterClient client = new UnixSocketArbiterClient(socket, clock)) {
      SliceRequest request =
          new SliceRequest("mlp", 100_000, SlicePolicies.LIGHT_PRIORITY, Long.MAX_VALUE);
      for (int i = 0; i < warmup; i++) {
        client.acquire(request).close();
      }
      System.out.println("| round | p50 (us) | p90 (us) | p99 (us) | p99.9 (us) | max (us) |");
      System.out.println("|---|---|---|---|---|---|");
      double[] p99s = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        long[] took = new long[iterations];
        for (int i = 0; i < iterations; i++) {
          long t0 = System.nanoTime();
          client.acquire(request).close();
          took[i] = System.nanoTime() - t0;
        }
        Arrays.sort(took);
        p99s[r] = us(took, 0.99);
        System.out.printf(
            Locale.ROOT,
            "| %d | %.1f | %.1f | %.1f | %.1f | %.1f |%n",
            r + 1,
            us(took, 0.5),
            us(took, 0.9),
            us(took, 0.99),
            us(took, 0.999),
            took[took.length - 1] / 1e3);
      }
      Arrays.sort(p99s);
      System.out.printf(
          Locale.ROOT,
          "median p99 over %d rounds of %d: %.1f us (min %.1f, max %.1f; policy %s)%n",
          rounds,
          iterations,
          p99s[rounds / 2],
          p99s[0],
          p99s[rounds - 1],
          policy);
    } finally {
      Files.deleteIfExists(socket);
      Files.deleteIfExists(dir);
    }
  }

  /**
   * The release is one-way: the round trip measured is acquire (request and grant) plus the release
   * write, the time the runtime's batch loop spends on the arbiter.
   */
  private static double us(long[] sorted, double q) {
    return sorted[(int) Math.min(sorted.length - 1, sorted.length * q)] / 1e3;
  }

  private static String arg(String[] args, String name, String dflt) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return dflt;
  }
}
