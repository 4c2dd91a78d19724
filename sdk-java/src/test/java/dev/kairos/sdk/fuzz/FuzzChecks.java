package dev.kairos.sdk.fuzz;

import dev.kairos.sdk.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/** Properties the fuzz targets check beyond "no unexpected exception". */
final class FuzzChecks {
  private FuzzChecks() {}

  static void hasMessage(RuntimeException e) {
    if (e.getMessage() == null || e.getMessage().isBlank()) {
      throw new AssertionError("client error without a message", e);
    }
  }

  /** Same names, datatypes, shapes and element bytes. */
  static void sameTensors(List<Tensor> want, List<Tensor> got) {
    if (want.size() != got.size()) {
      throw new AssertionError(want.size() + " tensors became " + got.size());
    }
    for (int i = 0; i < want.size(); i++) {
      Tensor a = want.get(i);
      Tensor b = got.get(i);
      if (!a.name().equals(b.name())
          || a.datatype() != b.datatype()
          || !Arrays.equals(a.shape(), b.shape())) {
        throw new AssertionError(a + " became " + b);
      }
      if (a.datatype() == dev.kairos.sdk.tensor.DataType.BYTES) {
        List<byte[]> x = a.bytesElements();
        List<byte[]> y = b.bytesElements();
        for (int e = 0; e < x.size(); e++) {
          if (!Arrays.equals(x.get(e), y.get(e))) {
            throw new AssertionError(a.name() + "[" + e + "] changed on a round trip");
          }
        }
      } else if (!a.buffer().equals(b.buffer())) {
        throw new AssertionError(a.name() + " changed on a round trip: " + a + " vs " + b);
      }
    }
  }
}
