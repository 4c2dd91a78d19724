package dev.kairos.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * The {@code kairos} command. Its attributes are inherited ({@code scope = INHERIT}), so every
 * subcommand, present and future, answers {@code --help}, {@code -h}, {@code --version} and {@code
 * -V} the same way.
 */
@Command(
    name = "kairos",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = KairosCli.Version.class,
    description = "Serverless-like model serving over the Open Inference Protocol.",
    subcommands = {
      ServeCommand.class,
      DeployCommand.class,
      KeygenCommand.class,
      ModelsCommand.class,
      PredictCommand.class,
      GenerateCommand.class,
      ProfileCommand.class,
      SimulateCommand.class,
      TuneCommand.class,
      ScaleCommand.class
    })
public final class KairosCli {
  public static void main(String[] args) {
    System.exit(new CommandLine(new KairosCli()).execute(args));
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = KairosCli.class.getPackage().getImplementationVersion();
      return new String[] {"kairos " + (v == null ? "dev" : v)};
    }
  }
}
