package dev.kairos.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Whether the machine has memory for one more runtime process: what the kernel says is available
 * now, less a reserve kept for the gateway and the page cache, against the resident size the
 * replica processes already running really have (their mean; an assumed size before any is
 * measured). A start that does not fit waits in the {@link StartQueue}; a request held for it is
 * answered 503 with Retry-After when its hold ends, and nothing runs the machine out of memory.
 */
final class MemoryAdmission {
  /** What a runtime process is assumed to take before one has been measured. */
  static final long ASSUMED_PROCESS_BYTES = 256L << 20;

  private final LongSupplier availableBytes;
  private final Supplier<List<Long>> residentBytes;
  private final long reserveBytes;

  /**
   * @param availableBytes memory available to new processes now (Linux: MemAvailable)
   * @param residentBytes resident sizes of the replica processes running now
   * @param reserveBytes left free whatever happens
   */
  MemoryAdmission(
      LongSupplier availableBytes, Supplier<List<Long>> residentBytes, long reserveBytes) {
    this.availableBytes = availableBytes;
    this.residentBytes = residentBytes;
    this.reserveBytes = reserveBytes;
  }

  /** The machine's own figures; a reserve of a tenth of its memory, at least 512 MiB. */
  static MemoryAdmission ofMachine(Supplier<List<Long>> residentBytes) {
    long total = meminfo("MemTotal:");
    return new MemoryAdmission(
        () -> meminfo("MemAvailable:"),
        residentBytes,
        Math.max(512L << 20, total > 0 ? total / 10 : 0));
  }

  /** The bytes one more process is expected to take. */
  long processBytes() {
    List<Long> rss = residentBytes.get().stream().filter(b -> b > 0).toList();
    if (rss.isEmpty()) {
      return ASSUMED_PROCESS_BYTES;
    }
    return (long) rss.stream().mapToLong(Long::longValue).average().orElse(ASSUMED_PROCESS_BYTES);
  }

  /** Whether one more process fits now. Unknown availability (not Linux) admits. */
  boolean fitsProcess() {
    long available = availableBytes.getAsLong();
    return available < 0 || available - reserveBytes >= processBytes();
  }

  /** Why a process does not fit, with the sizes, for logs and errors. */
  String why() {
    return String.format(
        java.util.Locale.ROOT,
        "a runtime process takes about %s and the machine has %s available (%s kept free)",
        mib(processBytes()),
        mib(availableBytes.getAsLong()),
        mib(reserveBytes));
  }

  static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  /** A {@code /proc/meminfo} field in bytes, or -1 where there is none. */
  static long meminfo(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** A process's resident set in bytes, or -1 when it cannot be read (gone, not Linux). */
  static long residentBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
