#!/usr/bin/env python3
"""An independent gRPC client of a running Kairos gateway: Debian's grpcio with stubs generated
from Kairos's published .proto (sdk-grpc/src/main/proto/grpc_predict_v2.proto) by grpc_tools.

  /usr/bin/python3 tools/grpc/python_client_check.py HOST:PORT [MODEL] [--golden DIR] [--key KEY]

Calls ServerLive, ServerMetadata, ModelMetadata and ModelInfer (raw_input_contents, then typed
contents) on MODEL (default mlp) with its golden request, and checks the answers against the golden
response. Prints one line per check; exits 0 when all pass, 1 on a mismatch, 2 when grpcio or
grpc_tools is missing (apt-get install -y python3-grpcio python3-grpc-tools).
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROTO_DIR = os.path.join(ROOT, "sdk-grpc", "src", "main", "proto")
PROTO = "grpc_predict_v2.proto"

try:
    import grpc
    from grpc_tools import protoc  # noqa: F401  (only checks it is there)
except ImportError as e:
    print(f"python_client_check: SKIP: {e} (apt-get install -y python3-grpcio python3-grpc-tools)")
    sys.exit(2)

# The struct format of one element per datatype, little-endian as the spec's raw contents.
FORMATS = {"BOOL": "?", "UINT8": "B", "UINT16": "H", "UINT32": "I", "UINT64": "Q", "INT8": "b",
           "INT16": "h", "INT32": "i", "INT64": "q", "FP16": "e", "FP32": "f", "FP64": "d"}
TYPED = {"BOOL": "bool_contents", "UINT8": "uint_contents", "UINT16": "uint_contents",
         "UINT32": "uint_contents", "UINT64": "uint64_contents", "INT8": "int_contents",
         "INT16": "int_contents", "INT32": "int_contents", "INT64": "int64_contents",
         "FP32": "fp32_contents", "FP64": "fp64_contents", "BYTES": "bytes_contents"}


def generate(out):
    """Generates inference stubs from the .proto with grpc_tools' protoc, into out."""
    rc = subprocess.call([sys.executable, "-m", "grpc_tools.protoc", f"-I{PROTO_DIR}",
                          f"--python_out={out}", f"--grpc_python_out={out}",
                          os.path.join(PROTO_DIR, PROTO)])
    if rc != 0:
        raise SystemExit(f"python_client_check: protoc failed ({rc})")
    sys.path.insert(0, out)
    import grpc_predict_v2_pb2 as pb
    import grpc_predict_v2_pb2_grpc as pb_grpc
    return pb, pb_grpc


def flatten(x):
    if isinstance(x, list):
        for v in x:
            yield from flatten(v)
    else:
        yield x


def raw_of(datatype, values):
    if datatype == "BYTES":
        out = b""
        for v in values:
            b = v.encode() if isinstance(v, str) else bytes(v)
            out += struct.pack("<I", len(b)) + b
        return out
    return struct.pack("<" + FORMATS[datatype] * len(values), *values)


def values_of(datatype, shape, raw):
    if datatype == "BYTES":
        out, pos = [], 0
        while pos < len(raw):
            (n,) = struct.unpack_from("<I", raw, pos)
            out.append(raw[pos + 4:pos + 4 + n].decode())
            pos += 4 + n
        return out
    n = len(raw) // struct.calcsize(FORMATS[datatype])
    return list(struct.unpack("<" + FORMATS[datatype] * n, raw))


def request(pb, model, golden, raw):
    req = pb.ModelInferRequest(model_name=model, id="python-check")
    for t in golden["inputs"]:
        values = list(flatten(t["data"]))
        inp = req.inputs.add(name=t["name"], datatype=t["datatype"], shape=t["shape"])
        if raw:
            req.raw_input_contents.append(raw_of(t["datatype"], values))
        elif t["datatype"] == "BYTES":
            getattr(inp.contents, TYPED["BYTES"]).extend(v.encode() for v in values)
        else:
            getattr(inp.contents, TYPED[t["datatype"]]).extend(values)
    return req


def close(a, b):
    if isinstance(b, str):
        return a == b
    return abs(a - b) <= 1e-5 * max(abs(b), 1e-3)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("target")
    p.add_argument("model", nargs="?", default="mlp")
    p.add_argument("--golden", help="golden directory (default examples/models/MODEL/golden)")
    p.add_argument("--key", help="API key, sent as authorization: Bearer KEY")
    a = p.parse_args()
    golden_dir = a.golden or os.path.join(ROOT, "examples", "models", a.model, "golden")
    with open(os.path.join(golden_dir, "request.json")) as f:
        golden_req = json.load(f)
    with open(os.path.join(golden_dir, "response.json")) as f:
        golden_resp = json.load(f)
    metadata = [("authorization", "Bearer " + a.key)] if a.key else []
    failures = 0
    with tempfile.TemporaryDirectory() as out:
        pb, pb_grpc = generate(out)
        with grpc.insecure_channel(a.target) as channel:
            stub = pb_grpc.GRPCInferenceServiceStub(channel)
            live = stub.ServerLive(pb.ServerLiveRequest(), timeout=30)
            print(f"ServerLive: live={live.live}")
            failures += not live.live
            server = stub.ServerMetadata(pb.ServerMetadataRequest(), timeout=30)
            print(f"ServerMetadata: name={server.name} extensions={list(server.extensions)}")
            meta = stub.ModelMetadata(pb.ModelMetadataRequest(name=a.model), metadata=metadata,
                                      timeout=30)
            inputs = [(t.name, t.datatype, list(t.shape)) for t in meta.inputs]
            print(f"ModelMetadata: name={meta.name} platform={meta.platform} inputs={inputs}")
            if meta.name != a.model or not meta.inputs:
                print("  FAIL: metadata does not describe the model")
                failures += 1
            for raw in (True, False):
                resp = stub.ModelInfer(request(pb, a.model, golden_req, raw), metadata=metadata,
                                       timeout=60)
                how = "raw_input_contents" if raw else "typed contents"
                ok = resp.id == "python-check" and len(resp.outputs) == len(golden_resp["outputs"])
                for want in golden_resp["outputs"]:
                    got = [o for o in resp.outputs if o.name == want["name"]]
                    if not got:
                        ok = False
                        continue
                    i = list(resp.outputs).index(got[0])
                    vals = values_of(got[0].datatype, list(got[0].shape),
                                     resp.raw_output_contents[i])
                    wanted = list(flatten(want["data"]))
                    ok &= list(got[0].shape) == want["shape"] and len(vals) == len(wanted) and all(
                        close(x, y) for x, y in zip(vals, wanted))
                print(f"ModelInfer ({how}): outputs={[o.name for o in resp.outputs]}"
                      f" {'matches' if ok else 'DIFFERS FROM'} the golden response")
                failures += not ok
    print("python_client_check: " + ("OK" if failures == 0 else f"{failures} FAILED"))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
