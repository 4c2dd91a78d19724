"""Medians (min-max) of tools/bench/pipeline/compare.sh's results.tsv, and new/old ratios per round."""
import csv
import statistics
import sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = defaultdict(list)
for r in rows:
    by[(r["mode"], r["config"])].append(r)


def stat(values):
    return f"{statistics.median(values):,.3g} ({min(values):,.3g}–{max(values):,.3g})"


def ratio(mode, field):
    old = {r["round"]: float(r[field]) for r in by[(mode, "old")]}
    new = {r["round"]: float(r[field]) for r in by[(mode, "new")]}
    rs = [new[k] / old[k] for k in old if k in new and old[k] > 0]
    return f"{statistics.median(rs):.2f}× ({min(rs):.2f}–{max(rs):.2f})" if rs else "—"


print(f"{len({r['round'] for r in rows})} rounds; 1-minute load average "
      f"{min(float(r['load1']) for r in rows):.1f}–{max(float(r['load1']) for r in rows):.1f}.\n")
print("| mode | gateway | rps | p50 ms | p99 ms | gateway CPU µs/req | non-2xx |")
print("|---|---|---|---|---|---|---|")
for mode in ("max", "half"):
    for c in ("old", "new"):
        rs = by[(mode, c)]
        print(f"| {mode} | {c} | {stat([float(r['rps']) for r in rs])} | "
              f"{stat([float(r['p50_ms']) for r in rs])} | {stat([float(r['p99_ms']) for r in rs])} | "
              f"{stat([float(r['gateway_cpu_us_per_req']) for r in rs])} | "
              f"{sum(int(r['non2xx']) for r in rs)} |")
print()
print("| new / old, per round | rps | p50 | CPU µs/req |")
print("|---|---|---|---|")
for mode in ("max", "half"):
    print(f"| {mode} | {ratio(mode, 'rps')} | {ratio(mode, 'p50_ms')} | "
          f"{ratio(mode, 'gateway_cpu_us_per_req')} |")
