#!/usr/bin/python3
"""Medians and ranges of the generative benchmarks' per-round lines (key=value), grouped by the
keys that name a case (batch, prompt, shared, mode). Usage: summarize.py < bench.log"""
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
    case = tuple((k, kv[k]) for k in CASE if k in kv)
    g = groups.setdefault(case, collections.defaultdict(list))
    for k, v in kv.items():
        if k in CASE or k == "round":
            continue
        try:
            g[k].append(float(v))
        except ValueError:
            pass
for case, g in groups.items():
    name = " ".join("%s=%s" % c for c in case)
    cols = ["%s %.3g [%.3g..%.3g]" % (k, statistics.median(v), min(v), max(v)) for k, v in g.items()]
    print("%s (n=%d): %s" % (name, len(next(iter(g.values()))), "; ".join(cols)))
