package dev.kairos.runtime.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/** This process's resident set size (Linux {@code /proc/self/status}, {@code VmRSS}), in bytes. */
public final class ResidentMemory implements LongSupplier {
  private static final Path STATUS = Path.of("/proc/self/status");

  @Override
  public long getAsLong() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmRSS:")) {
          String[] f = line.trim().split("\\s+");
          return Long.parseLong(f[1]) * 1024;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException(STATUS + " has no VmRSS line");
  }
}
