package dev.kairos.examples.topk;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.kairos.sdk.oip.InferenceRequest;
import dev.kairos.sdk.oip.InferenceResponse;
import dev.kairos.sdk.predictor.ModelContext;
import dev.kairos.sdk.predictor.Predictor;
import dev.kairos.sdk.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/**
 * Classifies raw 32x32 RGB images: normalises the pixels, runs the ONNX network beside the jar and
 * answers the top three labels with their probabilities.
 */
public final class ImageClassifier implements Predictor {
  private static final int TOP = 3;
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private OrtSession session;
  private List<String> labels;

  @Override
  public void load(ModelContext context) throws Exception {
    session = env.createSession(context.resolve("model.onnx").toString());
    labels = Files.readAllLines(context.resolve("labels.txt"));
  }

  @Override
  public InferenceResponse predict(InferenceRequest request) throws Exception {
    Tensor image = request.requireInput("image");
    float[] chw = Pixels.normalise(image.asFloatArray(), (int) image.dim(0));
    long[] shape = {image.dim(0), 3, Pixels.SIZE, Pixels.SIZE};
    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(chw), shape);
        OrtSession.Result out = session.run(Map.of("image", in))) {
      return TopK.of((float[][]) out.get(0).getValue(), labels, TOP);
    }
  }

  @Override
  public void close() throws Exception {
    session.close();
  }
}
