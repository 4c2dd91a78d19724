package dev.kairos.cli;

import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kairos scale}: shows or changes a model's autoscaling knobs on a running {@code kairos
 * serve} through its admin API. Knobs are checked here by the same validator as {@code model.yaml}
 * before anything is sent; the server checks them again.
 */
@Command(
    name = "scale",
    description = {
      "Show or change a model's autoscaling knobs at run time.",
      "Example: kairos scale cnn --set minReplicas=1,maxScaleDownRate=4",
      "Knobs: minReplicas maxReplicas initialScale targetConcurrency targetUtilizationPercentage"
          + " stableWindow panicWindowPercentage panicThresholdPercentage maxScaleUpRate"
          + " maxScaleDownRate scaleToZeroAfter activationScale"
    })
final class ScaleCommand implements Callable<Integer> {
  @Mixin PlatformOptions platform;

  @Parameters(index = "0", description = "The model.")
  String model;

  @Option(names = "--set", description = "knob=value to change (repeatable or comma-separated).")
  List<String> set = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    AdminClient admin = new AdminClient(platform.adminUrl, platform.adminKey(System.err));
    try {
      Map<String, Object> current = admin.scaling(model);
      Map<String, String> changes;
      try {
        changes = ScalingKnobs.parseAssignments(set);
        // the rules of model.yaml and of the server, checked before anything is sent
        ScalingKnobs.apply(ScalingKnobs.apply(ScalingConfig.DEFAULT, current), changes);
      } catch (IllegalArgumentException e) {
        System.err.println("kairos scale: " + model + ": " + e.getMessage());
        return 2;
      }
      Map<String, Object> now = changes.isEmpty() ? current : admin.setScaling(model, changes);
      out.println(model + (changes.isEmpty() ? "" : " (changed " + changes.keySet() + ")") + ":");
      now.forEach((k, v) -> out.printf("  %-28s %s%n", k, v));
      return 0;
    } catch (AdminClient.AdminError e) {
      System.err.println("kairos scale: " + model + ": HTTP " + e.status + ": " + e.getMessage());
      return e.status == 404 ? 3 : 1;
    } catch (java.net.ConnectException e) {
      System.err.println("kairos scale: cannot reach the admin API at " + admin.base());
      return 1;
    }
  }
}
