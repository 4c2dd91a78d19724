#!/usr/bin/python3
"""Checks that unloading a model version gives its memory back: starts a replica of ResNet-18
(generated on demand), runs requests, then unloads and reloads it through the repository extension
several times, printing the replica's resident set size (VmRSS) at each step.

    /usr/bin/python3 tools/bench/runtime/rss.py [--cycles 5]
"""
import argparse
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0


def post(url, data=b"", headers=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method="POST")
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.status


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cycles", type=int, default=5)
    a = p.parse_args()
    model = subprocess.run(["/usr/bin/python3", os.path.join(bench.HERE, "make_resnet18.py")],
                           capture_output=True, text=True, check=True).stdout.strip()
    os.makedirs(bench.WORK, exist_ok=True)
    body = os.path.join(bench.WORK, "resnet-b1.bin")
    hlen = bench.binary_body(body, "input", [1, 3, 224, 224], "output")
    with open(body, "rb") as f:
        data = f.read()
    rep = bench.Replica(os.path.dirname(os.path.dirname(model)), 2, 1)
    base = "http://127.0.0.1:%d" % rep.port
    headers = {"Inference-Header-Content-Length": str(hlen), "Content-Type": "application/octet-stream"}

    def infer(n):
        for _ in range(n):
            post(base + "/v2/models/resnet18/infer", data, headers)

    def settle():
        time.sleep(2)
        return rss_mb(rep.proc.pid)

    try:
        infer(10)
        print("| step | VmRSS MiB |\n|---|---|")
        print("| loaded, after 10 requests | %.0f |" % settle())
        for c in range(a.cycles):
            post(base + "/v2/repository/models/resnet18/unload")
            print("| cycle %d: unloaded | %.0f |" % (c + 1, settle()))
            post(base + "/v2/repository/models/resnet18/load")
            infer(10)
            print("| cycle %d: reloaded, after 10 requests | %.0f |" % (c + 1, settle()))
    finally:
        rep.close()


if __name__ == "__main__":
    main()
