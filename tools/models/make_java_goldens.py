#!/usr/bin/python3
"""Writes golden request/response pairs for the Java example models, computed independently of
the Java code: numpy for the logistic regression, torch for the CNN behind cnn-topk (rebuilt from
the same seed as tools/models/make_models.py, and checked against the cnn's own golden first).

    /usr/bin/python3 tools/models/make_java_goldens.py
"""
import json
import os

import numpy as np
import torch

from make_models import SmallCnn

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "..", "examples", "models")


def write(name, request, response):
    golden = os.path.join(MODELS, name, "golden")
    os.makedirs(golden, exist_ok=True)
    with open(os.path.join(golden, "request.json"), "w") as f:
        json.dump(request, f)
    with open(os.path.join(golden, "response.json"), "w") as f:
        json.dump(response, f)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def logreg():
    with open(os.path.join(MODELS, "logreg", "1", "weights.json")) as f:
        w = json.load(f)
    x = np.array([[5.1, 3.5, 1.4, 0.2], [6.0, 2.9, 4.5, 1.5], [6.9, 3.1, 5.4, 2.1]], dtype=np.float32)
    z = x.astype(np.float64) @ np.array(w["weights"]).T + np.array(w["bias"])
    p = softmax(z).astype(np.float32)
    labels = [w["classes"][i] for i in z.argmax(axis=1)]
    write("logreg",
          {"id": "golden-logreg", "inputs": [
              {"name": "features", "shape": list(x.shape), "datatype": "FP32", "data": [float(v) for v in x.flatten()]}]},
          {"model_name": "logreg", "model_version": "1", "id": "golden-logreg", "outputs": [
              {"name": "probabilities", "shape": list(p.shape), "datatype": "FP32", "data": [float(v) for v in p.flatten()]},
              {"name": "label", "shape": [len(labels)], "datatype": "BYTES", "data": labels}]})


def cnn_topk():
    torch.manual_seed(43)
    cnn = SmallCnn().eval()
    with open(os.path.join(MODELS, "cnn", "golden", "request.json")) as f:
        req = json.load(f)["inputs"][0]
    with open(os.path.join(MODELS, "cnn", "golden", "response.json")) as f:
        want = np.array(json.load(f)["outputs"][0]["data"], dtype=np.float32)
    with torch.no_grad():
        got = cnn(torch.tensor(req["data"], dtype=torch.float32).reshape(req["shape"])).numpy().flatten()
    assert np.allclose(got, want, atol=1e-5), "rebuilt cnn does not match examples/models/cnn"

    with open(os.path.join(MODELS, "cnn-topk", "1", "labels.txt")) as f:
        labels = f.read().split()
    pixels = np.random.default_rng(11).integers(0, 256, size=(2, 32, 32, 3)).astype(np.uint8)
    x = ((pixels.astype(np.float32) / np.float32(255) - np.float32(0.5)) / np.float32(0.25)).transpose(0, 3, 1, 2)
    with torch.no_grad():
        logits = cnn(torch.from_numpy(np.ascontiguousarray(x))).numpy().astype(np.float64)
    probs = softmax(logits)
    order = np.argsort(-logits, axis=1, kind="stable")[:, :3]
    top_p = np.take_along_axis(probs, order, axis=1).astype(np.float32)
    top_l = [labels[i] for i in order.flatten()]
    write("cnn-topk",
          {"id": "golden-cnn-topk", "inputs": [
              {"name": "image", "shape": list(pixels.shape), "datatype": "UINT8", "data": [int(v) for v in pixels.flatten()]}]},
          {"model_name": "cnn-topk", "model_version": "1", "id": "golden-cnn-topk", "outputs": [
              {"name": "labels", "shape": [2, 3], "datatype": "BYTES", "data": top_l},
              {"name": "probabilities", "shape": [2, 3], "datatype": "FP32", "data": [float(v) for v in top_p.flatten()]}]})


if __name__ == "__main__":
    logreg()
    cnn_topk()
