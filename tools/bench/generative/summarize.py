#!/usr/bin/python3
"""Medians and ranges of the generative benchmarks' per-round lines (key=value), grouped by the
keys that name a case (batch, prompt, shared, mode). Usage: summarize.py < bench.log

For the engine bench, work_cpu_ratio is cpu_ratio with the JIT's and the collector's threads' CPU
left out on both sides (from raw_cpu_ms / engine_cpu_ms)."""
import collections
import statistics
import sys

CASE = ("batch", "prompt", "shared", "mode")
groups = collections.OrderedDict()
for line in sys.stdin:
    if not line.startswith("round="):
        if line.startswith("bench="):
            print(line.strip())
        continue
    kv = dict(f.split("=", 1) for f in line.split() if "=" in f)
    if "raw_cpu_ms" in kv and "engine_cpu_ms" in kv:
        # the CPU ratio without the JIT's and the collector's threads: the two sides' own work
        split = [dict((k, float(v)) for k, v in (p.split(":") for p in kv[side].split(",")))
                 for side in ("raw_cpu_ms", "engine_cpu_ms")]
        if split[0]["rest"] > 0 and split[1]["rest"] > 0:
            scale = [sum(x.values()) / x["rest"] for x in split]
            kv["work_cpu_ratio"] = str(float(kv["cpu_ratio"]) * scale[1] / scale[0])
            kv["engine_jit_ms"] = str(split[1]["jit"])
            kv["raw_jit_ms"] = str(split[0]["jit"])
    case = tuple((k, kv[k]) for k in CASE if k in kv)
    g = groups.setdefault(case, collections.defaultdict(list))
    for k, v in kv.items():
        if k in CASE or k == "round":
            continue
        try:
            value = float(v)
        except ValueError:
            continue  # not a number (e.g. engine_rows): left to the log
        g[k].append(value)
for case, g in groups.items():
    name = " ".join("%s=%s" % c for c in case)
    cols = ["%s %.3g [%.3g..%.3g]" % (k, statistics.median(v), min(v), max(v)) for k, v in g.items()]
    print("%s (n=%d): %s" % (name, len(next(iter(g.values()))), "; ".join(cols)))
