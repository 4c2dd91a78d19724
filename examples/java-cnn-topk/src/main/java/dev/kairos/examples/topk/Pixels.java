package dev.kairos.examples.topk;

/** Pre-processing: HWC pixels in 0..255 to the network's normalised CHW floats. */
final class Pixels {
  static final int SIZE = 32;
  private static final float MEAN = 0.5f;
  private static final float STD = 0.25f;

  private Pixels() {}

  static float[] normalise(float[] hwc, int images) {
    int plane = SIZE * SIZE;
    float[] chw = new float[images * 3 * plane];
    for (int n = 0; n < images; n++) {
      for (int p = 0; p < plane; p++) {
        for (int c = 0; c < 3; c++) {
          float v = hwc[(n * plane + p) * 3 + c] / 255f;
          chw[(n * 3 + c) * plane + p] = (v - MEAN) / STD;
        }
      }
    }
    return chw;
  }
}
