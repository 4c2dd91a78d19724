package dev.kairos.generative;

/**
 * Where the engine asks for the device before each model step: on a shared device, the device
 * arbiter's slice, so a light model sharing the device waits at most one step (the decode batch and
 * at most one bounded prefill budget) behind this one. Alone on its device, {@link #open()}.
 */
public interface StepGate {
  /** A granted step; closing it hands the device back. */
  interface Pass extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Waits for the device.
   *
   * @param sequences rows in the step
   * @param tokens tokens computed in the step
   * @param estimatedNanos how long the step is expected to take (the last comparable step's time)
   * @throws GenerationException.Busy if the device refuses the step: its sequences end with that
   *     error (503 before the first byte, an error event in a stream)
   */
  Pass enter(int sequences, int tokens, long estimatedNanos) throws InterruptedException;

  /** No sharing: every step runs at once. */
  static StepGate open() {
    return (sequences, tokens, estimated) -> () -> {};
  }
}
