package dev.kairos.multiplexer.placement;

class OnePerDeviceTest extends PlacementPolicyContract {
  @Override
  PlacementPolicy create() {
    return new OnePerDevice();
  }
}
