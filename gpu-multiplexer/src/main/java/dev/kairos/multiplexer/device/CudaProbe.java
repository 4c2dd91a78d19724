package dev.kairos.multiplexer.device;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.SizeTPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GPUs through the CUDA runtime, by JavaCPP. The CUDA libraries are loaded only when {@link
 * #probe()} is first called; without a driver that fails in a fraction of a second with {@link
 * UnsatisfiedLinkError}, which is how "no GPU here" is detected, and logged once.
 */
public final class CudaProbe implements GpuProbe {
  private static final Logger log = LoggerFactory.getLogger(CudaProbe.class);

  /**
   * What the probe found.
   *
   * @param gpus the GPUs, {@code gpu0} first
   * @param whyNone when there are none, why (the driver's or the loader's words); else null
   */
  public record Found(List<Device> gpus, String whyNone) {}

  @Override
  public List<Device> probe() {
    Found found = find();
    if (found.gpus().isEmpty()) {
      log.info("no CUDA GPU: {}", found.whyNone());
    } else {
      log.info("CUDA: {} GPU(s) found: {}", found.gpus().size(), found.gpus());
    }
    return found.gpus();
  }

  /** The GPUs, or why there are none; logs nothing. */
  public Found find() {
    try {
      Loader.load(cudart.class);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
      return none("the CUDA runtime could not be loaded (" + firstLine(e) + ")");
    }
    int[] count = {0};
    int rc = cudart.cudaGetDeviceCount(count);
    if (rc != 0) {
      return none("cudaGetDeviceCount failed (" + cudart.cudaGetErrorString(rc).getString() + ")");
    }
    if (count[0] < 1) {
      return none("the driver reports 0 devices");
    }
    List<Device> out = new ArrayList<>();
    for (int i = 0; i < count[0]; i++) {
      try (cudaDeviceProp prop = new cudaDeviceProp();
          SizeTPointer free = new SizeTPointer(1);
          SizeTPointer total = new SizeTPointer(1)) {
        cudart.cudaGetDeviceProperties(prop, i);
        cudart.cudaSetDevice(i);
        long memory = cudart.cudaMemGetInfo(free, total) == 0 ? total.get() : prop.totalGlobalMem();
        out.add(Device.gpu("gpu" + i, prop.name().getString(), memory));
      }
    }
    return new Found(List.copyOf(out), null);
  }

  private static Found none(String why) {
    return new Found(List.of(), why);
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
