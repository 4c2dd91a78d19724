#!/usr/bin/python3
"""How long a served ResNet-18 replica's JIT takes to settle at one batch size: wrk at saturation
(3 connections at batch 1, 2 above) for WINDOWS windows of SECONDS, each printed with the CPU per
request of the engine threads, JIT compilers, event loops and the rest (threads.py's groups).

    /usr/bin/python3 tools/bench/rt95/settle.py [--batch 1] [--windows 10] [--seconds 15] [--jar-dir cli/target]
"""
import argparse
import collections
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "runtime"))
import bench  # noqa: E402
import threads  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--windows", type=int, default=10)
    p.add_argument("--seconds", type=int, default=15)
    p.add_argument("--jar-dir", default=os.path.join(bench.ROOT, "cli", "target"))
    a = p.parse_args()
    bench.JAR = os.path.join(a.jar_dir, "kairos-cli.jar")
    bench.LIB = os.path.join(a.jar_dir, "lib")
    os.makedirs(bench.WORK, exist_ok=True)
    model = subprocess.run(["/usr/bin/python3", os.path.join(bench.HERE, "make_resnet18.py")],
                           capture_output=True, text=True, check=True).stdout.strip()
    rep = bench.Replica(os.path.dirname(os.path.dirname(model)), os.cpu_count(), 1)
    url = "http://127.0.0.1:%d/v2/models/resnet18/infer" % rep.port
    body = os.path.join(bench.WORK, "resnet-b%d.bin" % a.batch)
    hlen = bench.binary_body(body, "input", [a.batch, 3, 224, 224], "output")
    clients = 3 if a.batch == 1 else 2
    try:
        for w in range(a.windows):
            t0 = threads.threads(rep.proc.pid)
            rps, p50, _ = bench.wrk(url, body, hlen, clients, a.seconds)
            t1 = threads.threads(rep.proc.pid)
            n = rps * a.seconds
            by = collections.Counter()
            for tid, (name, cpu) in t1.items():
                by[threads.group(name)] += cpu - t0.get(tid, (name, 0))[1]
            total = sum(by.values())
            print("window %2d (%3d-%3d s): %.1f rows/s, %.1f rows per CPU-s, ms CPU per request: %s" % (
                w + 1, w * a.seconds, (w + 1) * a.seconds, rps * a.batch, n * a.batch / total,
                ", ".join("%s %.2f" % (g.split(" (")[0], v * 1000 / n) for g, v in by.most_common())),
                flush=True)
    finally:
        rep.close()


if __name__ == "__main__":
    main()
