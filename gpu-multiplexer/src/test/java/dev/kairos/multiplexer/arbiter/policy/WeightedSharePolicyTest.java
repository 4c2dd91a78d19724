package dev.kairos.multiplexer.arbiter.policy;

class WeightedSharePolicyTest extends SlicePolicyContract {
  @Override
  SlicePolicy create() {
    return WeightedSharePolicy.byPriority(java.util.Map.of("heavy0", 3));
  }
}
