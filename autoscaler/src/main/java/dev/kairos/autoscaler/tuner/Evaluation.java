package dev.kairos.autoscaler.tuner;

/**
 * A setting replayed over a share of the trace.
 *
 * @param setting what was replayed
 * @param share the share of the trace replayed, from its start (1: all of it)
 * @param requests requests that arrived
 * @param withinSlo requests that waited no longer than the SLO allows
 * @param replicaSeconds replica-seconds paid
 * @param coldStarts times the model went from no replica to one
 */
public record Evaluation(
    Setting setting,
    double share,
    long requests,
    long withinSlo,
    double replicaSeconds,
    long coldStarts) {

  public double attainment() {
    return requests == 0 ? 1.0 : (double) withinSlo / requests;
  }
}
