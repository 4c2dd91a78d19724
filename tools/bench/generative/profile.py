#!/usr/bin/env python3
"""Splits an ONNX Runtime profile (GenerativeBench profile) by run kind and operator.

Usage: profile.py PROFILE.json REPEAT
The runs, in order: 4 warm-up runs, then REPEAT warm 64-token calls (448 cached), REPEAT cold
512-token calls, REPEAT batch-1 decode steps (448 cached). For each kind: the median model_run
time, and the median per run of the time in each operator type, largest first, with the nodes
that make most of it.
"""
import collections
import json
import statistics
import sys

events = json.load(open(sys.argv[1]))
repeat = int(sys.argv[2])
runs = sorted((e for e in events if e.get("name") == "model_run"), key=lambda e: e["ts"])
nodes = [e for e in events if e.get("cat") == "Node" and e["name"].endswith("_kernel_time")]
kinds = [("warm 64 tokens after 448", 4), ("cold 512 tokens", 4 + repeat),
         ("decode 1 row after 448", 4 + 2 * repeat)]
for label, first in kinds:
    chosen = runs[first:first + repeat]
    by_op = collections.defaultdict(list)
    by_node = collections.defaultdict(list)
    for run in chosen:
        start, end = run["ts"], run["ts"] + run["dur"]
        ops = collections.Counter()
        per_node = collections.Counter()
        for n in nodes:
            if start <= n["ts"] <= end:
                op = n["args"].get("op_name", "?")
                ops[op] += n["dur"]
                node = n["name"][: -len("_kernel_time")]
                # layer-independent node names: strip digits so 12 layers add up
                per_node[(op, "".join(c for c in node if not c.isdigit()))] += n["dur"]
        for op, us in ops.items():
            by_op[op].append(us)
        for k, us in per_node.items():
            by_node[k].append(us)
    total = statistics.median(r["dur"] for r in chosen) / 1000
    kernels = sum(statistics.median(v) for v in by_op.values()) / 1000
    print(f"== {label}: model_run median {total:.2f} ms, operators {kernels:.2f} ms"
          f" (outside operators {total - kernels:.2f} ms), {len(chosen)} runs")
    for op, v in sorted(by_op.items(), key=lambda kv: -statistics.median(kv[1])):
        ms = statistics.median(v) / 1000
        if ms < 0.05:
            continue
        print(f"  {op:<24} {ms:8.2f} ms  {100 * ms / total:5.1f} %")
        top = sorted(((k[1], statistics.median(u) / 1000) for k, u in by_node.items() if k[0] == op),
                     key=lambda kv: -kv[1])[:3]
        for name, nms in top:
            if nms >= 0.05:
                print(f"      {nms:8.2f} ms  {name[:90]}")
