#!/usr/bin/python3
"""Writes a random-initialised ResNet-18 (torchvision, ONNX opset 17, dynamic batch) for the
runtime benchmark, into tools/bench/models/resnet18 (git-ignored). Skips if it is already there.

    /usr/bin/python3 tools/bench/runtime/make_resnet18.py [--out tools/bench/models]
"""
import argparse
import os

import torch
import torchvision

YAML = """\
name: resnet18
engine: onnxruntime
inputs:  [{name: input,  datatype: FP32, shape: [-1, 3, 224, 224]}]
outputs: [{name: output, datatype: FP32, shape: [-1, 1000]}]
batching: {maxBatchSize: 1, maxQueueSize: 256}
device: {kind: cpu, class: heavy}
"""


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(here, "..", "models"))
    args = parser.parse_args()
    path = os.path.join(args.out, "resnet18", "1", "model.onnx")
    if os.path.exists(path):
        print(path)
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.manual_seed(18)
    model = torchvision.models.resnet18(weights=None).eval()
    torch.onnx.export(
        model, torch.rand(1, 3, 224, 224), path, input_names=["input"], output_names=["output"],
        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=17,
        do_constant_folding=True)
    with open(os.path.join(args.out, "resnet18", "model.yaml"), "w") as f:
        f.write(YAML)
    print(path)


if __name__ == "__main__":
    main()
