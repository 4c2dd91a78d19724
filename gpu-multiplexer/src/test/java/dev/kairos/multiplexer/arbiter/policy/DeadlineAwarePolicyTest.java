package dev.kairos.multiplexer.arbiter.policy;

class DeadlineAwarePolicyTest extends SlicePolicyContract {
  @Override
  SlicePolicy create() {
    return new DeadlineAwarePolicy(SlicePolicies.LIGHT_PRIORITY, 8_000_000L, 200_000_000L);
  }
}
