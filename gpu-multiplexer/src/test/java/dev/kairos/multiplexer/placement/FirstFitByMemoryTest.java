package dev.kairos.multiplexer.placement;

class FirstFitByMemoryTest extends PlacementPolicyContract {
  @Override
  PlacementPolicy create() {
    return new FirstFitByMemory();
  }
}
