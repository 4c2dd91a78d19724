#!/usr/bin/env python3
"""Writes the gRPC benchmark's light model: ResNet-18's input (N x 3 x 224 x 224 FP32) but almost no
compute (global average pool, then a 3 -> 10 linear layer), so the round trip measures the protocol,
not the engine.

  /usr/bin/python3 tools/bench/grpc/make_light.py OUT_DIR     # writes OUT_DIR/light/{model.yaml,1/model.onnx}
"""
import os
import sys

import torch


class Light(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(3, 10)

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3)))


def main():
    out = os.path.join(sys.argv[1], "light")
    os.makedirs(os.path.join(out, "1"), exist_ok=True)
    torch.manual_seed(7)
    model = Light().eval()
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224), os.path.join(out, "1", "model.onnx"),
                      input_names=["input"], output_names=["logits"], opset_version=17,
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    with open(os.path.join(out, "model.yaml"), "w") as f:
        f.write("name: light\nengine: onnxruntime\n"
                "inputs:  [{name: input, datatype: FP32, shape: [-1, 3, 224, 224]}]\n"
                "outputs: [{name: logits, datatype: FP32, shape: [-1, 10]}]\n"
                "batching: {maxBatchSize: 1}\n"
                "scaling: {minReplicas: 1, maxReplicas: 1}\n")


if __name__ == "__main__":
    main()
