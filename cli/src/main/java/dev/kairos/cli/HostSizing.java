package dev.kairos.cli;

/**
 * How many shared runtime hosts {@code kairos serve} starts and the memory budget of each, from the
 * machine's memory unless the operator says: one host per 8 GiB (at least one, at most one per core
 * and four in all), together budgeted a quarter of the machine's memory, each between 256 MiB and 4
 * GiB. The rest stays for the gateway, processes of their own and the page cache.
 *
 * @param hosts the number of hosts (0: none, every replica a process of its own)
 * @param budgetBytes each host's memory budget for its models
 */
record HostSizing(int hosts, long budgetBytes) {
  private static final long GIB = 1L << 30;

  HostSizing {
    if (hosts < 0) {
      throw new IllegalArgumentException("--shared-hosts = " + hosts + ", must be >= 0");
    }
    if (hosts > 0 && budgetBytes < (64L << 20)) {
      throw new IllegalArgumentException(
          "--host-memory-budget = " + budgetBytes + " bytes, must be at least 64Mi");
    }
  }

  /**
   * @param totalBytes the machine's memory (<= 0: unknown, taken as 4 GiB)
   * @param cores the machine's cores
   * @param hosts the operator's count, or null to size it
   * @param budgetBytes the operator's budget per host, or null to size it
   */
  static HostSizing of(long totalBytes, int cores, Integer hosts, Long budgetBytes) {
    long total = totalBytes > 0 ? totalBytes : 4 * GIB;
    int n =
        hosts != null ? hosts : (int) Math.max(1, Math.min(Math.min(cores, 4), total / (8 * GIB)));
    long budget =
        budgetBytes != null
            ? budgetBytes
            : Math.max(256L << 20, Math.min(4 * GIB, total / 4 / Math.max(1, n)));
    return new HostSizing(n, budget);
  }
}
