package dev.kairos.console;

/**
 * A decision of the autoscaler worth annotating on a chart: the replicas changed, or panic mode
 * began or ended.
 *
 * @param atMillis wall time of the decision
 * @param model the model
 * @param version the model version
 * @param from replicas before
 * @param to replicas decided
 * @param panic whether the decider was in panic mode
 * @param limit the rule that limited the decision ({@code none} when the load alone decided)
 * @param why the decider's one-line explanation
 */
public record DecisionEvent(
    long atMillis,
    String model,
    String version,
    int from,
    int to,
    boolean panic,
    String limit,
    String why) {

  /** A short label: scale up, scale down, scale to zero, panic... */
  public String kind() {
    if (to == 0 && from > 0) {
      return "scale to zero";
    }
    if (to > from) {
      return from == 0 ? "scale from zero" : "scale up";
    }
    if (to < from) {
      return "scale down";
    }
    return panic ? "panic" : "stable";
  }
}
