"""Writes ResNet-18 (random weights: no download) as ONNX plus a one-image OIP request.

    /usr/bin/python3 tools/bench/autoscaler/make_resnet18.py OUT_DIR

OUT_DIR/resnet18/1/model.onnx and OUT_DIR/resnet18-request.json. Needs Debian python3-torch and
python3-torchvision (apt-get install -y python3-torch python3-torchvision).
"""
import json
import os
import sys

import torch
import torchvision

out = sys.argv[1]
model_dir = os.path.join(out, "resnet18", "1")
os.makedirs(model_dir, exist_ok=True)
torch.manual_seed(0)
net = torchvision.models.resnet18(weights=None).eval()
x = torch.randn(1, 3, 224, 224)
torch.onnx.export(
    net,
    x,
    os.path.join(model_dir, "model.onnx"),
    input_names=["input"],
    output_names=["output"],
    dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
    opset_version=17,
)
request = {
    "inputs": [
        {
            "name": "input",
            "datatype": "FP32",
            "shape": [1, 3, 224, 224],
            "data": [round(v, 4) for v in x.flatten().tolist()],
        }
    ]
}
with open(os.path.join(out, "resnet18-request.json"), "w") as f:
    json.dump(request, f)
print("wrote", model_dir)
