#!/usr/bin/env python3
"""Summarises tools/bench/grpc/compare.sh's output: per gateway, mode and C the median request
rate, p50 and p99 over the rounds (min-max), gRPC's rate over REST binary's in the same slot, and
gRPC's p50 over the engine's."""
import re
import statistics
import sys

rows = {}
engine = []
loads = {}
for line in open(sys.argv[1]):
    if line.startswith("load_"):
        k, v = line.split(" ", 1)
        loads[k] = v.strip()
        continue
    m = re.match(r"gw=(\S+) round=(\d+) mode=(\S+) c=(\d+) rps=([\d.]+) p50_ms=([\d.]+) p99_ms=([\d.]+) errors=(\d+)", line)
    if not m:
        continue
    gw, rnd, mode, c = m[1], int(m[2]), m[3], int(m[4])
    vals = (float(m[5]), float(m[6]), float(m[7]), int(m[8]))
    if mode == "engine":
        engine.append(vals[1])
    else:
        rows.setdefault((gw, mode, c), {})[rnd] = vals


def span(xs, f="%.1f"):
    return f"{f % statistics.median(xs)} ({f % min(xs)}–{f % max(xs)})"


print(f"Load average: {loads.get('load_start', '?')} at start, {loads.get('load_end', '?')} at end.")
print()
print("| gateway | mode | C | requests/s | p50 ms | p99 ms | errors |")
print("|---|---|---|---|---|---|---|")
for c in (1, 4):
    for gw in ("old", "new"):
        for mode in ("rest-binary", "grpc-raw"):
            v = rows.get((gw, mode, c))
            if not v:
                continue
            v = list(v.values())
            print(f"| {gw} | {mode} | {c} | {span([x[0] for x in v])} | {span([x[1] for x in v], '%.2f')}"
                  f" | {span([x[2] for x in v], '%.2f')} | {sum(x[3] for x in v)} |")
print()
e = statistics.median(engine) if engine else float("nan")
if engine:
    print(f"- Engine alone (ONNX Runtime, batch 1) p50: {span(engine, '%.3f')} ms.")
for gw in ("old", "new"):
    for c in (1, 4):
        g, b = rows.get((gw, "grpc-raw", c)), rows.get((gw, "rest-binary", c))
        if not g or not b:
            continue
        ratios = [g[r][0] / b[r][0] for r in g if r in b and b[r][0] > 0]
        over = statistics.median([x[1] for x in g.values()]) - e
        print(f"- {gw}, C={c}: gRPC raw / REST binary request rate, same slot: "
              f"**{statistics.median(ratios):.2f}×** ({min(ratios):.2f}–{max(ratios):.2f}); "
              f"gRPC p50 over the engine: **{over:.2f} ms**"
              f" (REST binary's: {statistics.median([x[1] for x in b.values()]) - e:.2f} ms).")
