package dev.kairos.multiplexer.placement;

class SloAwarePlacementTest extends PlacementPolicyContract {
  @Override
  PlacementPolicy create() {
    return new SloAwarePlacement(0.7, 8_000_000L);
  }
}
