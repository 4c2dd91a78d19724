#!/usr/bin/env python3
"""An independent client against one `kairos serve` with the light model of make_light.py: Debian's
grpcio (C core) calling ModelInfer with raw contents, and http.client posting REST binary (JSON
output, and binary output), the same 1x3x224x224 FP32 input, each body serialised once.

  /usr/bin/python3 tools/bench/grpc/grpcio_probe.py HOST REST_PORT GRPC_PORT CALLS ROUNDS
  ONLY=grpc ...    # one mode only (to read the gateway's CPU and context switches around it)

Prints one line per mode and round: request rate and p50."""
import http.client, json, os, struct, sys, time, statistics
import grpc

host, rest_port, grpc_port, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
raw = os.urandom(3 * 224 * 224 * 4)
def varint(v):
    out = b""
    while True:
        b = v & 0x7f; v >>= 7
        if v: out += bytes([b | 0x80])
        else: return out + bytes([b])
def field(num, wt, payload):
    return varint(num << 3 | wt) + (varint(len(payload)) + payload if wt == 2 else payload)
shape = b"".join(varint(x) for x in (1, 3, 224, 224))
tensor = field(1, 2, b"input") + field(2, 2, b"FP32") + field(3, 2, shape)
msg = field(1, 2, b"light") + field(5, 2, tensor) + field(7, 2, raw)
head = json.dumps({"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3, 224, 224],
                               "parameters": {"binary_data_size": len(raw)}}]}).encode()
body = head + raw
head2 = json.dumps({"parameters": {"binary_data_output": True}, "inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3, 224, 224],
                               "parameters": {"binary_data_size": len(raw)}}]}).encode()
body2 = head2 + raw
ch = grpc.insecure_channel(f"{host}:{grpc_port}", options=[("grpc.max_receive_message_length", 64 << 20), ("grpc.max_send_message_length", 64 << 20)])
infer = ch.unary_unary("/inference.GRPCInferenceService/ModelInfer", request_serializer=None, response_deserializer=None)
conn = http.client.HTTPConnection(host, rest_port)
def g():
    infer(msg)
def r():
    conn.request("POST", "/v2/models/light/infer", body=body, headers={"Content-Type": "application/octet-stream", "Inference-Header-Content-Length": str(len(head))})
    resp = conn.getresponse(); resp.read()
    assert resp.status == 200, resp.status
def r2():
    conn.request("POST", "/v2/models/light/infer", body=body2, headers={"Content-Type": "application/octet-stream", "Inference-Header-Content-Length": str(len(head2))})
    resp = conn.getresponse(); resp.read()
    assert resp.status == 200, resp.status
only = os.environ.get("ONLY")
modes = [(n_, f_) for n_, f_ in (("grpc", g), ("rest-binary", r), ("rest-binary-out", r2)) if not only or n_ == only]
for _, f in modes:
    for _ in range(50): f()
for rd in range(rounds):
    for name, f in modes:
        lat = []
        t0 = time.perf_counter()
        for _ in range(n):
            t = time.perf_counter(); f(); lat.append(time.perf_counter() - t)
        took = time.perf_counter() - t0
        print(f"{name} rps={n/took:.1f} p50_ms={statistics.median(lat)*1e3:.2f}", flush=True)
