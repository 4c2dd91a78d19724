#!/usr/bin/python3
"""Per side (base, new) of an ab.sh log: each round's goodput ratios continuous / static and
continuous / one at a time, by wall time (goodput at the first SLO) and by output tokens per
CPU-second, then their medians and ranges, and new / base for each mode.
Usage: compare.py LOG"""
import collections
import statistics
import sys

runs = collections.defaultdict(dict)  # (side, round) -> mode -> fields
for line in open(sys.argv[1]):
    if " mode=" not in line:
        continue
    kv = dict(f.split("=", 1) for f in line.split() if "=" in f)
    runs[(kv["side"], int(kv["round"]))][kv["mode"]] = kv


def goodput(kv):
    return float(next(v for k, v in kv.items() if k.startswith("goodput_req_s@")))


def spread(xs):
    return "%.2f [%.2f..%.2f]" % (statistics.median(xs), min(xs), max(xs)) if xs else "-"


per = collections.defaultdict(lambda: collections.defaultdict(list))
for (side, rnd), modes in sorted(runs.items()):
    if len(modes) < 3:
        continue
    c, s, o = modes["continuous"], modes["static"], modes["one-at-a-time"]
    row = {
        "wall_vs_static": goodput(c) / goodput(s),
        "wall_vs_one": goodput(c) / goodput(o),
        "cpu_vs_static": float(c["out_tok_per_cpu_s"]) / float(s["out_tok_per_cpu_s"]),
        "cpu_vs_one": float(c["out_tok_per_cpu_s"]) / float(o["out_tok_per_cpu_s"]),
    }
    for mode, kv in modes.items():
        row[mode + "_goodput"] = goodput(kv)
        row[mode + "_tok_per_cpu_s"] = float(kv["out_tok_per_cpu_s"])
        row[mode + "_tpot_p99_ms"] = float(kv["tpot_p99_ms"])
        row[mode + "_decode_step_ms"] = float(kv["decode_step_ms"])
    print("%s round %d: %s" % (side, rnd, " ".join("%s=%.3g" % kv for kv in row.items())))
    for k, v in row.items():
        per[side][k].append(v)
for side in per:
    print("%s (n=%d):" % (side, len(per[side]["wall_vs_static"])))
    for k, v in per[side].items():
        print("  %-32s %s" % (k, spread(v)))
if "base" in per and "new" in per:
    print("new / base (medians):")
    for k in per["new"]:
        if k in per["base"]:
            print("  %-32s %.2f" % (k, statistics.median(per["new"][k]) / statistics.median(per["base"][k])))
