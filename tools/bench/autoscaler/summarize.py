#!/usr/bin/python3
"""Turns the autoscaler table's measurements (tools/bench/work/autoscaler, .../coldstart) into markdown."""
import os, re, statistics, sys
work, replays, trace, tuned, html, trials, load_before, load_after, span, models = sys.argv[1:]
models = models.split()
replays, trials = int(replays), int(trials)
def mm(xs, fmt="{:.3f}"):
    return f"{fmt.format(statistics.median(xs))} ({fmt.format(min(xs))}–{fmt.format(max(xs))})"

print("## Autoscaler\n")
print("### What-if replay of the Azure Functions 2019 trace (`kairos simulate`)\n")
if not os.path.isdir(trace):
    print(f"Trace not found at `{trace}` (set `KAIROS_TRACE`); the replay was not run.\n")
else:
    runs = []
    for i in range(1, replays + 1):
        rows = {}
        for line in open(os.path.join(work, f"replay-{i}.txt")):
            m = re.match(r"(\S+)\s+(\d+)\s+([\d.]+)%\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\(replayed in ([\d.]+) s\)", line)
            if m:
                rows[m.group(1)] = m.groups()[1:]
        wall, user, sys_, rss = open(os.path.join(work, f"replay-{i}.time")).read().split()[:4]
        runs.append((rows, float(wall), float(user) + float(sys_), int(rss) / 1024))
    first = runs[0][0]
    # Each row ends with the time its replay took, which differs run to run: compare the rest.
    def figures(rows):
        return {k: v[:-1] for k, v in rows.items()}
    same = all(figures(r[0]) == figures(first) for r in runs)
    header = next(l for l in open(os.path.join(work, "replay-1.txt")) if l.startswith("trace "))
    print(f"Trace: `{trace}` — {header.split(': ', 1)[1].strip()} (Azure Functions Trace 2019,")
    print("Shahrad et al., \"Serverless in the Wild\", USENIX ATC 2020, CC-BY 4.0; 1000-function sample cut by")
    print("vHive invitro; not copied into this repository). Per-minute counts are spread into Poisson")
    print("arrivals inside each minute; service times are drawn from each function's duration percentiles.")
    print("Replica model: 8 concurrent requests per replica, 1 s cold start; a request meets the SLO when it")
    print("waits (queue + cold start) at most 100 ms before its service starts. The decider, windows and knob")
    print("validation are the ones `kairos serve` runs. Seed 1.\n")
    print("```bash")
    print(f"./kairos simulate {span + ' ' if span else ''}--compare {tuned} --compare-label tuned --html {html}")
    print("```\n")
    if span:
        print(f"**Shortened replay (`{span}`): the figures below cover part of the trace and do not compare with the full replay's.**\n")
    print(f"{replays} replay{'s' if replays > 1 else ''}; the figures are "
          + ("identical in every replay (deterministic)." if same else "**not identical across replays** (first shown).") + "\n")
    labels = {"knative-defaults": "Knative defaults (target 8 at 70%, stable 60s, panic 10% at 200%, up ×1000, down ÷2, grace 30s)",
              "tuned": "tuned: panic threshold 150%, grace 2m, utilisation 72%"}
    print("| setting | SLO attainment | p50 | p99 | replica-seconds | cold starts | requests that found no replica |")
    print("|---|---|---|---|---|---|---|")
    base = first.get("knative-defaults")
    for name, r in first.items():
        _, slo, p50, p99, rs, cs, cr, _ = r
        def rel(v, b):
            return "" if name == "knative-defaults" or not base else f" ({(int(v) / int(b) - 1) * 100:+.1f}%)"
        print(f"| {labels.get(name, name)} | {slo}% | {p50} | {p99} | {int(rs):,}{rel(rs, base[4])} | {int(cs):,}{rel(cs, base[5])} | {int(cr):,}{rel(cr, base[6])} |")
    print(f"\nChart (requests per minute vs replicas, both settings, overall and the three busiest functions):")
    print(f"`{html}`. p50/p99 are dominated by the trace's own durations (some functions run for minutes).\n")
    walls = [r[1] for r in runs]
    cpus = [r[2] for r in runs]
    rss = max(r[3] for r in runs)
    replayed = []
    for i in range(1, replays + 1):
        for line in open(os.path.join(work, f"replay-{i}.txt")):
            m = re.search(r"\(replayed in ([\d.]+) s\)", line)
            if m:
                replayed.append(float(m.group(1)))
    one = statistics.median(replayed)
    print(f"| speed ({'shortened replay' if span else '1000 functions × 24 h'}) | median (min–max) | target |  met |")
    print("|---|---|---|---|")
    print(f"| one setting, wall time (as `kairos simulate` reports it; {len(replayed)} settings replayed) | {mm(replayed, '{:.1f}')} s | ≤ 30 s (whole trace) | {'n/a' if span else ('yes' if one <= 30 else '**no**')} |")
    print(f"| whole command, two settings, wall | {mm(walls, '{:.1f}')} s | | |")
    print(f"| whole command, two settings, CPU (user + sys) | {mm(cpus, '{:.1f}')} s | | |")
    print(f"| peak RSS | {rss:,.0f} MB | | |")
    print()
    print("The replay runs the models on 2 threads; on this 2-core machine its wall time depends on what")
    print("else runs (load average in the run footer below).\n")

print("### Cold start from zero replicas\n")
print("First request to a model at zero → its answer, through `kairos serve` (gateway, activator,")
print("autoscaler, a new replica); both modes in one run, fresh JVM first. Small CNN =")
print("`examples/models/cnn`; ResNet-18 = torchvision's ResNet-18 (random weights) exported to ONNX opset 17")
print("by `tools/bench/autoscaler/make_resnet18.py` into the ignored `tools/bench/models/`, one 224×224")
print("image per request (1.2 MB of JSON). Modes: `--warm-pool 0` starts a fresh replica JVM per cold")
print("start; `--warm-pool 1` keeps one standby runtime process (JVM started, ONNX Runtime and Vert.x")
print("warmed up, no model) that loads the model when assigned. \"Replica up\" is the request that")
print("follows each cold one.\n")
print("```bash")
print(("" if models == ["cnn", "resnet18"] else f"COLDSTART_MODELS={' '.join(models)} ") + f"tools/bench/autoscaler/coldstart.sh {trials}")
print("```\n")
res = {}
for line in open(os.path.join(work, "..", "coldstart", "results.tsv")):
    pool, model, kind, t = line.split()
    res.setdefault((pool, model, kind), []).append(float(t))
print(f"{trials} trials per model and mode; load average {load_before} before, {load_after} after. Median (min–max), seconds.\n")
print("| model | fresh JVM (`--warm-pool 0`) | warm pool (`--warm-pool 1`) | fresh / pool | replica up (pool run) | target (p50) | met |")
print("|---|---|---|---|---|---|---|")
names = {"cnn": "small CNN", "resnet18": "ResNet-18"}
verdicts = []
for model in models:
    fresh, pool, warm = res[("0", model, "cold")], res[("1", model, "cold")], res[("1", model, "warm")]
    ratio = statistics.median(fresh) / statistics.median(pool)
    target, met = ("", "")
    if model == "resnet18":
        target = "≤ 0.5 s"
        best = min(statistics.median(fresh), statistics.median(pool))
        met = "yes" if best <= 0.5 else "**no**"
        verdicts.append(f"**ResNet-18 cold start target (≤ 0.5 s p50): {'met' if best <= 0.5 else 'missed'}** — "
                        f"{statistics.median(pool):.2f} s with the warm pool, {statistics.median(fresh):.2f} s with a fresh JVM.")
    print(f"| {names[model]} | {mm(fresh)} | {mm(pool)} | {ratio:.1f}× | {mm(warm)} | {target} | {met} |")
print()
for v in verdicts:
    print(v + "\n")
