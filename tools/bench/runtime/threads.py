#!/usr/bin/python3
"""Where a served replica's CPU goes, by thread: ResNet-18 at saturation, as bench.py serves it.

    /usr/bin/python3 tools/bench/runtime/threads.py [--batch 1] [--warmup 20] [--seconds 20]

Starts one replica (the JVM options `kairos serve` gives replicas), loads it with wrk for the
warm-up, then reads every thread's CPU time (/proc/PID/task/*/stat) before and after a measured
window and prints the share of each group: the engine (the compute thread, which calls ONNX
Runtime, and ONNX Runtime's own pool threads), the event loops, the codec pool, the JIT compilers,
the garbage collector and VM threads, and the rest. Rows per CPU-second of the engine alone are
what the raw loop achieves at best; the other groups are what serving adds.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402

GROUPS = [
    # ONNX Runtime's pool threads are native: they carry the name of the thread that made the
    # session (the model-load thread; "java", the main thread, in older builds).
    ("engine (compute thread + ONNX Runtime pool)", re.compile(r"^(infer-|model-load|java$)")),
    ("event loops", re.compile(r"^vert\.x-eventloo")),
    ("codec pool", re.compile(r"^codec-")),
    ("JIT compilers", re.compile(r"Compiler")),
    ("GC and VM", re.compile(r"^(GC|VM |G1)")),
]


def threads(pid):
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                s = f.read()
        except FileNotFoundError:
            continue
        name = s[s.index("(") + 1:s.rindex(")")]
        fields = s.rsplit(")", 1)[1].split()
        out[tid] = (name, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    return out


def group(name):
    for label, rx in GROUPS:
        if rx.search(name):
            return label
    return "other"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--seconds", type=int, default=20)
    p.add_argument("--clients", type=int, default=3)
    a = p.parse_args()
    model = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "make_resnet18.py")],
                           capture_output=True, text=True, check=True).stdout.strip()
    os.makedirs(bench.WORK, exist_ok=True)
    body = os.path.join(bench.WORK, "resnet-b%d.bin" % a.batch)
    hlen = bench.binary_body(body, "input", [a.batch, 3, 224, 224], "output")
    rep = bench.Replica(os.path.dirname(os.path.dirname(model)), os.cpu_count(), 1)
    url = "http://127.0.0.1:%d/v2/models/resnet18/infer" % rep.port
    try:
        bench.wrk(url, body, hlen, a.clients, a.warmup)
        before = threads(rep.proc.pid)
        rps, _, _ = bench.wrk(url, body, hlen, a.clients, a.seconds)
        after = threads(rep.proc.pid)
    finally:
        rep.close()
    used = {}
    names = {}
    for tid, (name, cpu) in after.items():
        d = cpu - before.get(tid, (name, 0.0))[1]
        g = group(name)
        used[g] = used.get(g, 0.0) + d
        names.setdefault(g, set()).add(re.sub(r"\d+$", "N", name))
    total = sum(used.values())
    rows = rps * a.batch * a.seconds
    print("ResNet-18 batch %d, %d clients, %d s after %d s of warm-up: %.1f rows/s, %.1f rows per "
          "CPU-second (load average %s)\n" % (a.batch, a.clients, a.seconds, a.warmup, rps * a.batch,
                                              rows / total, bench.load_average()))
    print("| threads | CPU s | share |")
    print("|---|---|---|")
    for g, v in sorted(used.items(), key=lambda kv: -kv[1]):
        print("| %s (%s) | %.2f | %.1f %% |" % (g, ", ".join(sorted(names[g]))[:80], v, 100 * v / total))
    engine = used.get(GROUPS[0][0], 0.0)
    print("\nRows per CPU-second of the engine threads alone: %.1f" % (rows / engine if engine else 0))


if __name__ == "__main__":
    main()
