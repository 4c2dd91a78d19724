"""Medians of tools/bench/gateway/run.sh results, as the Markdown table of docs/BENCHMARKS.md."""
import csv
import statistics
import sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = defaultdict(list)
for r in rows:
    mode = "max" if r["mode"] == "max" else "half"
    by[(r["config"], mode)].append(r)


def med(key, config, mode):
    return statistics.median(float(r[key]) for r in by[(config, mode)])


rounds = len({r["round"] for r in rows})
loads = [float(r["load1"]) for r in rows]
print(f"{rounds} rounds; 1-min load average during the runs: {min(loads):.1f}-{max(loads):.1f} "
      f"(median {statistics.median(loads):.1f}) on {__import__('os').cpu_count()} CPUs\n")
print("| config | max rps (median) | vs nginx | p50 ms @max | p99 ms @max "
      "| rps @half-nginx | p50 ms @half | p99 ms @half | added p50/p99 vs direct @half |")
print("|---|---|---|---|---|---|---|---|---|")
n_rps = med("rps", "nginx", "max")
d50, d99 = med("p50_ms", "direct", "half"), med("p99_ms", "direct", "half")
for c in ("direct", "nginx", "kairos"):
    if not by[(c, "max")]:
        continue
    rps = med("rps", c, "max")
    p50h, p99h = med("p50_ms", c, "half"), med("p99_ms", c, "half")
    added = "—" if c == "direct" else f"{p50h - d50:+.3f} / {p99h - d99:+.3f}"
    print(f"| {c} | {rps:,.0f} | {rps / n_rps:.2f}× | {med('p50_ms', c, 'max'):.3f} "
          f"| {med('p99_ms', c, 'max'):.3f} | {med('rps', c, 'half'):,.0f} | {p50h:.3f} "
          f"| {p99h:.3f} | {added} |")
ratios = []
for r in sorted({r["round"] for r in rows}):
    k = [x for x in rows if x["round"] == r and x["mode"] == "max"]
    kv = {x["config"]: float(x["rps"]) for x in k}
    ratios.append(kv["kairos"] / kv["nginx"])
rss = max(int(r["kairos_rss_mb"]) for r in rows)
if "proxy_cpu_us_per_req" in rows[0]:
    print("\nCPU time per request at max load (µs, medians; noise-robust: it does not depend on how much"
          " CPU the other tenants left us):\n")
    print("| config | proxy µs/req | backend µs/req | projected rps on one dedicated core "
          "(proxy + backend) | vs nginx |")
    print("|---|---|---|---|---|")
    configs = [c for c in ("direct", "nginx", "kairos", "relay") if by[(c, "max")]]
    proj = {}
    for c in configs:
        p = med("proxy_cpu_us_per_req", c, "max")
        b = med("backend_cpu_us_per_req", c, "max")
        total = b if c == "direct" else p + b
        proj[c] = 1e6 / total if total else float("nan")
    for c in configs:
        p = med("proxy_cpu_us_per_req", c, "max")
        b = med("backend_cpu_us_per_req", c, "max")
        label = "relay (bare Netty, not the gateway)" if c == "relay" else c
        print(f"| {label} | {'—' if c == 'direct' else f'{p:.0f}'} | {b:.0f} | {proj[c]:,.0f} "
              f"| {proj[c] / proj['nginx']:.2f}× |")
print(f"\nKairos/nginx throughput per round: {', '.join(f'{x:.2f}' for x in ratios)} "
      f"(median {statistics.median(ratios):.2f}); Kairos gateway RSS max {rss} MB.")
