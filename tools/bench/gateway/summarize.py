"""Medians (min-max) of tools/bench/gateway/run.sh results, as Markdown for docs/BENCHMARKS.md."""
import csv
import os
import statistics
import sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = defaultdict(list)
for r in rows:
    by[(r["config"], "max" if r["mode"] == "max" else "half")].append(r)


def vals(key, config, mode):
    return [float(r[key]) for r in by[(config, mode)]]


def med(key, config, mode):
    return statistics.median(vals(key, config, mode))


def span(key, config, mode, fmt="{:,.0f}"):
    v = vals(key, config, mode)
    return f"{fmt.format(statistics.median(v))} ({fmt.format(min(v))}–{fmt.format(max(v))})"


rounds = sorted({r["round"] for r in rows}, key=int)
loads = [float(r["load1"]) for r in rows]
print(f"{len(rounds)} rounds; 1-minute load average during the runs {min(loads):.1f}–{max(loads):.1f} "
      f"(median {statistics.median(loads):.1f}) on {os.cpu_count()} CPUs. Medians (min–max).\n")
print("| config | max rps | Kairos or nginx / nginx, per round | p50 ms @max | p99 ms @max "
      "| rps @half-nginx | p50 ms @half | p99 ms @half | added p50 / p99 vs direct @half |")
print("|---|---|---|---|---|---|---|---|---|")


def ratios(config):
    out = []
    for rd in rounds:
        kv = {x["config"]: float(x["rps"]) for x in rows if x["round"] == rd and x["mode"] == "max"}
        out.append(kv[config] / kv["nginx"])
    return out


LABELS = {
    "kairos-tuned": "kairos-tuned (not shipped: Vert.x header validation off, tuning flags)",
    "relay": "relay (bare Netty prototype, not the gateway)",
}
d50, d99 = med("p50_ms", "direct", "half"), med("p99_ms", "direct", "half")
for c in ("direct", "nginx", "kairos", "kairos-tuned"):
    if not by[(c, "max")]:
        continue
    rs = ratios(c)
    ratio = f"{statistics.median(rs):.2f}× ({min(rs):.2f}–{max(rs):.2f})"
    p50h, p99h = med("p50_ms", c, "half"), med("p99_ms", c, "half")
    added = "—" if c == "direct" else f"{p50h - d50:+.2f} / {p99h - d99:+.2f} ms"
    print(f"| {LABELS.get(c, c)} | {span('rps', c, 'max')} | {ratio} | {med('p50_ms', c, 'max'):.2f} "
          f"| {med('p99_ms', c, 'max'):.1f} | {span('rps', c, 'half')} | {p50h:.2f} "
          f"| {p99h:.1f} | {added} |")
rss = max(int(r["kairos_rss_mb"]) for r in rows)
print(f"\nKairos gateway RSS: at most {rss} MB during the runs.")
if "proxy_cpu_us_per_req" in rows[0]:
    print("\nCPU time per request at max rate (from /proc, µs; it does not depend on how much CPU "
          "the other tenants left, so it is the steadiest figure here). The projection is the rate "
          "one dedicated core would give the proxy and the backend together.\n")
    print("| config | proxy µs/req | backend µs/req | projected rps, one core | vs nginx |")
    print("|---|---|---|---|---|")
    configs = [c for c in ("direct", "nginx", "kairos", "kairos-tuned", "relay") if by[(c, "max")]]
    proj = {}
    for c in configs:
        p, b = med("proxy_cpu_us_per_req", c, "max"), med("backend_cpu_us_per_req", c, "max")
        total = b if c == "direct" else p + b
        proj[c] = 1e6 / total if total else float("nan")
    for c in configs:
        label = LABELS.get(c, c)
        p = span("proxy_cpu_us_per_req", c, "max")
        print(f"| {label} | {'—' if c == 'direct' else p} "
              f"| {span('backend_cpu_us_per_req', c, 'max')} | {proj[c]:,.0f} "
              f"| {proj[c] / proj['nginx']:.2f}× |")
