package dev.kairos.cli;

import picocli.CommandLine.Option;

/**
 * The standard help options for a command whose {@code --version} names a model version (as {@code
 * helm install --version} names a chart's): {@code -h}/{@code --help} print its usage and {@code
 * -V} prints the version of Kairos. Every other command inherits picocli's standard options from
 * {@link KairosCli}, where {@code --version} prints the version of Kairos too.
 */
final class HelpOptions {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Option(names = "-V", versionHelp = true, description = "Print the version of Kairos and exit.")
  boolean version;
}
