package dev.kairos.runtime.engine;

/**
 * The device memory a model version may use on a shared accelerator ({@code device.memory} in
 * {@code model.yaml}); placement packs models by these figures, so an engine must not exceed them.
 *
 * @param model the model, for messages
 * @param bytes the cap; 0 means none
 */
public record DeviceMemoryCap(String model, long bytes) {
  public DeviceMemoryCap {
    if (bytes < 0) {
      throw new IllegalArgumentException("memory cap must be >= 0, was " + bytes);
    }
  }

  public static DeviceMemoryCap of(ModelSource source) {
    return new DeviceMemoryCap(source.modelName(), source.config().device().memoryBytes());
  }

  public boolean isCapped() {
    return bytes > 0;
  }

  /**
   * Refuses to load a model whose engine needs more device memory than its cap.
   *
   * @param what what needs the memory, for the message (e.g. "the TensorRT engine")
   * @param neededBytes what it needs
   * @throws ModelLoadException when {@code neededBytes} exceeds the cap
   */
  public void check(String what, long neededBytes) {
    if (isCapped() && neededBytes > bytes) {
      throw new ModelLoadException(
          "model '"
              + model
              + "': "
              + what
              + " needs "
              + neededBytes
              + " bytes of device memory, more than its cap device.memory: "
              + bytes);
    }
  }
}
