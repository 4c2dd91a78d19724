package dev.kairos.runtime.engine.tensorrt;

import dev.kairos.runtime.engine.ModelLoadException;

/**
 * Checks that a CUDA driver and device are there before anything TensorRT is touched. Without a
 * driver, loading JavaCPP's CUDA runtime bindings throws a catchable {@link UnsatisfiedLinkError}
 * within a second: that is the answer, and the JVM stays up.
 */
final class CudaProbe {
  private CudaProbe() {}

  /**
   * @throws ModelLoadException saying no CUDA driver/device was found
   */
  static void require(String model) {
    int devices;
    try {
      org.bytedeco.javacpp.Loader.load(org.bytedeco.cuda.global.cudart.class);
      int[] count = new int[1];
      int err = org.bytedeco.cuda.global.cudart.cudaGetDeviceCount(count);
      if (err != 0) {
        throw noCuda(
            model,
            "cudaGetDeviceCount failed: "
                + org.bytedeco.cuda.global.cudart.cudaGetErrorString(err).getString());
      }
      devices = count[0];
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
      throw noCuda(model, e.toString());
    }
    if (devices < 1) {
      throw noCuda(model, "the driver reports 0 devices");
    }
  }

  private static ModelLoadException noCuda(String model, String why) {
    return new ModelLoadException(
        "model '"
            + model
            + "': engine tensorrt needs a CUDA GPU, but no CUDA driver/device was found ("
            + why
            + ")");
  }
}
