#!/usr/bin/python3
"""Builds the example models under examples/models from random-initialised architectures.

Each model is exported to ONNX with a dynamic batch axis, and a golden request/response pair is
written beside it: the request is random input (fixed seed), the response is what torch computed.
Run with Debian's python3-torch (apt-get install -y python3-torch):

    /usr/bin/python3 tools/models/make_models.py [--out examples/models]
"""
import argparse
import json
import os

import torch
import torch.nn as nn


class Mlp(nn.Module):
    """A light tabular model: 16 features -> 4 class scores."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 4))

    def forward(self, x):
        return self.net(x)


class SmallCnn(nn.Module):
    """A heavier image model: 3x32x32 -> 10 class scores."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        )
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


def export(model, example, out_dir, name, input_name, output_name, golden_batch, yaml_text):
    model.eval()
    version_dir = os.path.join(out_dir, name, "1")
    os.makedirs(version_dir, exist_ok=True)
    torch.onnx.export(
        model, example, os.path.join(version_dir, "model.onnx"),
        input_names=[input_name], output_names=[output_name],
        dynamic_axes={input_name: {0: "batch"}, output_name: {0: "batch"}},
        opset_version=17, do_constant_folding=True)
    if yaml_text is not None:
        with open(os.path.join(out_dir, name, "model.yaml"), "w") as f:
            f.write(yaml_text)
    x = torch.rand((golden_batch,) + tuple(example.shape[1:]), generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        y = model(x)
    write_golden(out_dir, name, input_name, output_name, x, y)


def write_golden(out_dir, name, input_name, output_name, x, y):
    """Writes golden/request.json (input x) and golden/response.json (output y) of a model."""
    golden = os.path.join(out_dir, name, "golden")
    os.makedirs(golden, exist_ok=True)
    request = {"id": "golden-" + name, "inputs": [
        {"name": input_name, "shape": list(x.shape), "datatype": "FP32", "data": [float(v) for v in x.flatten()]}]}
    response = {"model_name": name, "model_version": "1", "id": "golden-" + name, "outputs": [
        {"name": output_name, "shape": list(y.shape), "datatype": "FP32", "data": [float(v) for v in y.flatten()]}]}
    with open(os.path.join(golden, "request.json"), "w") as f:
        json.dump(request, f)
    with open(os.path.join(golden, "response.json"), "w") as f:
        json.dump(response, f)


MLP_YAML = """\
# A light, latency-sensitive model. Every field below has a default; the signature could also
# be left out, since it is read from the ONNX file.
name: mlp
engine: onnxruntime
inputs:  [{name: features, datatype: FP32, shape: [-1, 16]}]
outputs: [{name: scores,   datatype: FP32, shape: [-1, 4]}]
batching: {maxBatchSize: 32, maxQueueDelay: 2ms, maxQueueSize: 256}
"""


MLP_TORCH_YAML = """\
# The mlp's weights as TorchScript, served by DJL's PyTorch engine. A TorchScript file carries
# no typed signature, so it is declared here (inputs go to forward() in this order).
name: mlp-torch
engine: pytorch
inputs:  [{name: features, datatype: FP32, shape: [-1, 16]}]
outputs: [{name: scores,   datatype: FP32, shape: [-1, 4]}]
batching: {maxBatchSize: 32, maxQueueDelay: 2ms, maxQueueSize: 256}
"""


def export_torchscript(model, example, out_dir, name, input_name, output_name, golden_batch, yaml_text):
    """Traces the model to TorchScript (model.pt) and writes a golden pair, like export()."""
    model.eval()
    version_dir = os.path.join(out_dir, name, "1")
    os.makedirs(version_dir, exist_ok=True)
    with torch.no_grad():
        traced = torch.jit.trace(model, example)
    traced.save(os.path.join(version_dir, "model.pt"))
    with open(os.path.join(out_dir, name, "model.yaml"), "w") as f:
        f.write(yaml_text)
    x = torch.rand((golden_batch,) + tuple(example.shape[1:]), generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        y = traced(x)
    write_golden(out_dir, name, input_name, output_name, x, y)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "examples", "models"))
    parser.add_argument("--only", help="build only this model (mlp, cnn, mlp-torch)")
    args = parser.parse_args()
    if args.only in (None, "mlp"):
        torch.manual_seed(42)
        export(Mlp(), torch.rand(1, 16), args.out, "mlp", "features", "scores", 2, MLP_YAML)
    if args.only in (None, "cnn"):
        torch.manual_seed(43)
        # No model.yaml: the runtime reads the signature from the ONNX file.
        export(SmallCnn(), torch.rand(1, 3, 32, 32), args.out, "cnn", "image", "logits", 1, None)
    if args.only in (None, "mlp-torch"):
        torch.manual_seed(42)
        export_torchscript(Mlp(), torch.rand(1, 16), args.out, "mlp-torch", "features", "scores", 2,
                           MLP_TORCH_YAML)


if __name__ == "__main__":
    main()
