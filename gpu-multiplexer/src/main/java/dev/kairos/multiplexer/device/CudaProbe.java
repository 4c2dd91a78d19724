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

  @Override
  public List<Device> probe() {
    try {
      Loader.load(cudart.class);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      log.info("no CUDA GPU: the CUDA runtime could not be loaded ({})", firstLine(e));
      return List.of();
    }
    int[] count = {0};
    int rc = cudart.cudaGetDeviceCount(count);
    if (rc != 0) {
      log.info(
          "no CUDA GPU: cudaGetDeviceCount failed ({})", cudart.cudaGetErrorString(rc).getString());
      return List.of();
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
    log.info("CUDA: {} GPU(s) found: {}", out.size(), out);
    return out;
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
