package dev.kairos.multiplexer.serving;

import dev.kairos.multiplexer.placement.Placement;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link ServingPlacement} decided for a set of models.
 *
 * @param placement which models share which device (the policy's, with its leftovers placed)
 * @param sites each placed model's device and the reason, by model name
 * @param refused models no device can take, with the reason, by model name
 */
public record PlacementDecision(
    Placement placement, Map<String, Site> sites, Map<String, String> refused) {
  public PlacementDecision {
    sites = Map.copyOf(sites);
    refused = Map.copyOf(refused);
  }

  public Optional<Site> site(String model) {
    return Optional.ofNullable(sites.get(model));
  }
}
