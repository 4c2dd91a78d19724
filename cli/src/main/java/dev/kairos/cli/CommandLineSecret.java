package dev.kairos.cli;

import java.io.PrintStream;

/**
 * The warning for a secret given as a command-line argument: every user of the machine sees the
 * arguments of every process ({@code ps}, {@code /proc/PID/cmdline}), and shells keep them in their
 * history. The flag still works, for scripts that have it.
 */
final class CommandLineSecret {
  private CommandLineSecret() {}

  static void warn(PrintStream err, String flag, String instead) {
    err.println(
        "Warning: "
            + flag
            + " puts the secret on the command line, where other users of this machine can read"
            + " it (ps); use "
            + instead
            + " instead.");
    err.flush();
  }
}
