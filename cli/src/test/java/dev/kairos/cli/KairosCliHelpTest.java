package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every command answers help and version. The commands are found by walking the command tree, so a
 * command added later is covered without editing this test.
 */
class KairosCliHelpTest {
  /** Each command's words from the root, e.g. {@code [serve]}; the root itself is {@code []}. */
  static Stream<List<String>> commands() {
    List<List<String>> paths = new ArrayList<>();
    walk(new CommandLine(new KairosCli()), List.of(), paths);
    assertThat(paths).as("the tree holds the subcommands").hasSizeGreaterThan(5);
    return paths.stream();
  }

  private static void walk(CommandLine command, List<String> path, List<List<String>> into) {
    into.add(path);
    command
        .getSubcommands()
        .forEach(
            (name, sub) -> {
              // Aliases appear as extra keys of the same command; walk each command once.
              if (name.equals(sub.getCommandName())) {
                List<String> next = new ArrayList<>(path);
                next.add(name);
                walk(sub, next, into);
              }
            });
  }

  private record Run(int exit, String out, String err) {}

  /**
   * Runs one command line. Picocli reports a description it cannot format (a bare {@code %}) on
   * {@link System#err} rather than the command's writer, so that is captured too.
   */
  private static synchronized Run run(List<String> path, String option) {
    CommandLine root = new CommandLine(new KairosCli());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    root.setOut(new PrintWriter(out));
    root.setErr(new PrintWriter(err));
    List<String> args = new ArrayList<>(path);
    args.add(option);
    PrintStream systemErr = System.err;
    ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    int exit;
    try {
      System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
      exit = root.execute(args.toArray(String[]::new));
    } finally {
      System.setErr(systemErr);
    }
    return new Run(exit, out.toString(), err + warnings.toString(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "kairos {0} --help / -h")
  @MethodSource("commands")
  void shouldPrintUsageForHelpOnEveryCommand(List<String> path) {
    String usage = "Usage: " + String.join(" ", prepend("kairos", path));
    for (String option : List.of("--help", "-h")) {
      Run run = run(path, option);
      assertThat(run.exit).as("exit status of %s %s: %s", path, option, run.err).isZero();
      assertThat(run.err).as("stderr of %s %s", path, option).isEmpty();
      assertThat(run.out).as("stdout of %s %s", path, option).startsWith(usage);
      assertThat(run.out).contains("--help", "-V");
    }
  }

  @ParameterizedTest(name = "kairos {0} --version / -V")
  @MethodSource("commands")
  void shouldPrintTheVersionOnEveryCommand(List<String> path) {
    CommandLine command = new CommandLine(new KairosCli());
    for (String word : path) {
      command = command.getSubcommands().get(word);
    }
    OptionSpec longVersion = command.getCommandSpec().findOption("--version");
    List<String> options = new ArrayList<>(List.of("-V"));
    // deploy and profile use --version for the model's version (like helm install --version);
    // everywhere else it prints the version of Kairos.
    if (longVersion == null || longVersion.versionHelp()) {
      options.add("--version");
    } else {
      assertThat(longVersion.description()).as("%s --version", path).isNotEmpty();
      assertThat(longVersion.description()[0]).containsIgnoringCase("version");
    }
    for (String option : options) {
      Run run = run(path, option);
      assertThat(run.exit).as("exit status of %s %s: %s", path, option, run.err).isZero();
      assertThat(run.err).isEmpty();
      assertThat(run.out).as("stdout of %s %s", path, option).startsWith("kairos ");
    }
  }

  private static List<String> prepend(String first, List<String> rest) {
    List<String> all = new ArrayList<>();
    all.add(first);
    all.addAll(rest);
    return all;
  }
}
