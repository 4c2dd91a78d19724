package dev.kairos.gateway.activator;

/**
 * Told when a request waits for a model that has no ready replica. The gateway does not know who
 * scales; the wiring ({@code kairos serve}, or a cluster controller) connects this to an
 * autoscaler.
 */
@FunctionalInterface
public interface DemandListener {
  /**
   * A request for {@code model} is held.
   *
   * @param version the version asked for, or null when the request named none
   * @param held requests now held for the model
   */
  void demand(String model, String version, int held);
}
