package dev.kairos.multiplexer.arbiter.policy;

class FifoPolicyTest extends SlicePolicyContract {
  @Override
  SlicePolicy create() {
    return new FifoPolicy();
  }
}
