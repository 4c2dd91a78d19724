#!/usr/bin/python3
"""Simulator against a real replay: one slice of the Azure Functions 2019 trace, the same knobs,
run through `kairos simulate` and for real against `kairos serve`, side by side.

The slice, scaled to this 2-core machine: MINUTES minutes of the trace from minute START, the
first FUNCTIONS functions (in the order of a seeded shuffle) whose requests in that window are
between --min-requests and --max-requests (so that each is light enough for one mlp replica and the
whole stays a few requests a second); counts are not scaled and time is not compressed. Each
function becomes a copy of examples/models/mlp. Per-minute counts are spread into uniform arrival
times inside their minute (seeded) and written as a timestamp,model CSV, which both sides replay.

Real side: `kairos serve` (flags in --serve-args; today's default here is process replicas with no
warm pool, which is what `--starts process` models), a Python load generator firing each request at
its arrival time on its own connection (a pool of threads, so a slow answer never delays the next
arrival), and the replica-seconds serve itself reports in /admin/supervision.
Simulated side: `kairos simulate --trace slice.csv` with the same knobs, the service time measured
on the warm replicas of this run, and the start model given by --starts and the calibration flags.

    /usr/bin/python3 tools/bench/replay/run.py [--minutes 10] [--functions 10]
        [--sim-args "--starts process --cold-start 1.6s --start-capacity 1.4"]
        [--serve-args "--warm-pool 0 --hold-timeout 120s"] [--slo 300ms]

An SLO is met when the request's whole latency (from its arrival time to its answer) is at most
--slo. Prints one markdown table; outputs in tools/bench/work/replay/.
"""
import argparse
import concurrent.futures
import csv
import os
import random
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kairos_serve as ks  # noqa: E402

TRACE = os.environ.get("KAIROS_TRACE", os.path.join(ks.ROOT, "..", "shared", "data", "traces",
                                                   "azure-functions-2019"))


def slice_trace(start, minutes, functions, lo, hi, seed):
    rows = []
    with open(os.path.join(TRACE, "invocations_per_function_per_minute.csv")) as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            counts = [int(float(x)) for x in row[3 + start:3 + start + minutes]]
            if lo <= sum(counts) <= hi:
                rows.append((row[0], counts))
    rng = random.Random(seed)
    rng.shuffle(rows)
    chosen = rows[:functions]
    arrivals = []
    for i, (_, counts) in enumerate(chosen):
        name = "f%d" % i
        for m, c in enumerate(counts):
            for _ in range(c):
                arrivals.append((m * 60 + rng.random() * 60, name))
    arrivals.sort()
    return [h[:12] for h, _ in chosen], arrivals


def simulate(csv_path, sim_args, knobs, service, slo, out_path):
    cmd = [os.path.join(ks.ROOT, "kairos"), "simulate", "--trace", csv_path, "--top", "0",
           "--service-time", "%.4fs" % service, "--slo-latency", slo,
           "--set", ",".join("%s=%s" % kv for kv in knobs.items()), *shlex.split(sim_args)]
    text = subprocess.run(cmd, capture_output=True, text=True, cwd=ks.ROOT,
                          env=dict(os.environ, KAIROS_SKIP_BUILD="1"))
    open(out_path, "w").write(" ".join(cmd) + "\n" + text.stdout + text.stderr)
    row = next(l for l in text.stdout.splitlines() if l.startswith("knative-defaults"))
    f = row.split()
    return {"attainment": float(f[2].rstrip("%")), "replica_seconds": float(f[5].replace(",", "")),
            "cold_starts": int(f[6]), "p50": f[3], "p99": f[4]}


def tune(csv_path, models, sim_args, tune_args, service, slo, out_path):
    """`kairos tune` on the slice, applied to the models' model.yaml: its predicted figures."""
    cmd = [os.path.join(ks.ROOT, "kairos"), "tune", "--trace", csv_path, "--models", models,
           "--apply", "--top", "0", "--service-time", "%.4fs" % service, "--slo-latency", slo,
           *shlex.split(sim_args), *shlex.split(tune_args)]
    text = subprocess.run(cmd, capture_output=True, text=True, cwd=ks.ROOT,
                          env=dict(os.environ, KAIROS_SKIP_BUILD="1"))
    open(out_path, "w").write(" ".join(cmd) + "\n" + text.stdout + text.stderr)
    rows = {}
    for line in text.stdout.splitlines():
        f = line.split()
        if f and f[0] in ("current", "recommended") and f[0] not in rows and f[1].endswith("%"):
            rows[f[0]] = {"attainment": float(f[1].rstrip("%")),
                          "replica_seconds": float(f[2].replace(",", ""))}
    if "recommended" not in rows:
        raise RuntimeError("kairos tune printed no recommendation:\n" + text.stdout + text.stderr)
    return rows


def replay_for_real(arrivals, models, serve_args, slo_s):
    names = sorted({m for _, m in arrivals})
    serve = ks.Serve(models, shlex.split(serve_args))
    try:
        port = serve.port()
        before = serve.supervision()
        results = [None] * len(arrivals)
        lag = []
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=256)
        t0 = time.monotonic() + 1.0
        first = arrivals[0][0]

        def one(i, due, model):
            status, _ = ks.infer(port, model, timeout=120)
            results[i] = (status, time.monotonic() - due)

        for i, (t, model) in enumerate(arrivals):
            due = t0 + (t - first)
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            lag.append(time.monotonic() - due)
            pool.submit(one, i, due, model)
        span = int(arrivals[-1][0] - first + 1 + 0.999999)
        end = t0 + span
        if end > time.monotonic():
            time.sleep(end - time.monotonic())
        after = serve.supervision()
        pool.shutdown(wait=True)
        rs = sum(after.get(n, {}).get("replicaSeconds", 0) - before.get(n, {}).get(
            "replicaSeconds", 0) for n in names)
        lat = sorted(r[1] for r in results)
        ok = sum(1 for r in results if r[0] == 200 and r[1] <= slo_s + 1e-9)
        errors = sum(1 for r in results if r[0] != 200)
        warm = [r[1] for r in results if r[0] == 200 and r[1] < 0.2]
        log = open(serve.log_path).read()
        starts = len(re.findall(r": ready \(replica pid", log))
        return {"attainment": 100.0 * ok / len(results), "replica_seconds": rs,
                "errors": errors, "p50": statistics.median(lat),
                "p99": lat[min(len(lat) - 1, int(0.99 * len(lat)))],
                "service": statistics.median(warm) if warm else 0.005,
                "lag_max": max(lag), "starts": starts, "span": span}
    finally:
        serve.stop()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--start", type=int, default=600, help="first minute of the slice")
    p.add_argument("--minutes", type=int, default=10)
    p.add_argument("--functions", type=int, default=10)
    p.add_argument("--min-requests", type=int, default=3)
    p.add_argument("--max-requests", type=int, default=150)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--slo", default="300ms")
    p.add_argument("--knobs", default="minReplicas=0,initialScale=0,maxReplicas=4",
                   help="knobs both sides use (knob=value,...)")
    p.add_argument("--sim-args", default="--starts process")
    p.add_argument("--serve-args", default="--warm-pool 0 --hold-timeout 120s")
    p.add_argument("--tune", metavar="ARGS",
                   help="run `kairos tune ARGS` on the slice first, apply its recommendation to"
                        " the models, and replay that for real (needs --service-time)")
    p.add_argument("--service-time", type=float,
                   help="seconds; default: the median warm answer of the real run")
    a = p.parse_args()
    work = os.path.join(ks.ROOT, "tools", "bench", "work", "replay")
    os.makedirs(work, exist_ok=True)
    knobs = dict(kv.split("=", 1) for kv in a.knobs.split(","))
    hashes, arrivals = slice_trace(a.start, a.minutes, a.functions, a.min_requests,
                                   a.max_requests, a.seed)
    names = sorted({m for _, m in arrivals})
    csv_path = os.path.join(work, "slice.csv")
    with open(csv_path, "w") as f:
        f.write("timestamp,model\n")
        for t, m in arrivals:
            f.write("%.6f,%s\n" % (t, m))
    slo_s = float(a.slo[:-2]) / 1000 if a.slo.endswith("ms") else float(a.slo.rstrip("s"))
    models = os.path.join(tempfile.mkdtemp(prefix="kairos-replay-"), "models")
    ks.write_models(models, names, knobs)
    tuned = None
    if a.tune is not None:
        if a.service_time is None:
            p.error("--tune needs --service-time")
        tuned = tune(csv_path, models, a.sim_args, a.tune, a.service_time, a.slo,
                     os.path.join(work, "tune.out"))
    load0 = " ".join(open("/proc/loadavg").read().split()[:3])
    real = replay_for_real(arrivals, models, a.serve_args, slo_s)
    load1 = " ".join(open("/proc/loadavg").read().split()[:3])
    service = a.service_time if a.service_time is not None else real["service"]
    if tuned is None:
        sim = simulate(csv_path, a.sim_args, knobs, service, a.slo,
                       os.path.join(work, "simulate.out"))
    per_model = {}
    for _, m in arrivals:
        per_model[m] = per_model.get(m, 0) + 1
    print("slice: minutes %d-%d of %s, %d functions (%s), %d requests; per function: %s"
          % (a.start, a.start + a.minutes, os.path.normpath(TRACE), len(names), " ".join(hashes),
             len(arrivals), " ".join("%s=%d" % kv for kv in sorted(per_model.items()))))
    print("knobs: %s; SLO: latency <= %s; simulate: %s; serve: %s; service time %.1f ms"
          " (warm answers of the real run: %.1f ms)"
          % (a.knobs, a.slo, a.sim_args, a.serve_args, 1000 * service, 1000 * real["service"]))
    print()
    if tuned is not None:
        print("kairos tune %s, applied to every model.yaml (%s/tune.out)" % (a.tune, work))
        print()
        print("| | SLO attainment | replica-seconds |")
        print("|---|---|---|")
        print("| current knobs, predicted | %.2f%% | %.0f |"
              % (tuned["current"]["attainment"], tuned["current"]["replica_seconds"]))
        print("| recommended, predicted by kairos tune | %.2f%% | %.0f |"
              % (tuned["recommended"]["attainment"], tuned["recommended"]["replica_seconds"]))
        print("| recommended, measured on kairos serve | %.2f%% | %.0f |"
              % (real["attainment"], real["replica_seconds"]))
        print("| difference (predicted - measured) | %+.2f pts | %+.1f%% |"
              % (tuned["recommended"]["attainment"] - real["attainment"],
                 100 * (tuned["recommended"]["replica_seconds"] / real["replica_seconds"] - 1)))
        print()
        print("real: %d errors, %d replica starts, p50 %.0f ms, p99 %.0f ms, generator lag max"
              " %.1f ms, span %d s; load average before %s, after %s; %d cores"
              % (real["errors"], real["starts"], 1000 * real["p50"], 1000 * real["p99"],
                 1000 * real["lag_max"], real["span"], load0, load1, os.cpu_count()))
        return
    print("| | SLO attainment | replica-seconds | starts | p50 | p99 |")
    print("|---|---|---|---|---|---|")
    print("| kairos simulate | %.2f%% | %.0f | %d cold starts | %s | %s |"
          % (sim["attainment"], sim["replica_seconds"], sim["cold_starts"], sim["p50"], sim["p99"]))
    print("| kairos serve (real) | %.2f%% | %.0f | %d replica starts | %.0fms | %.0fms |"
          % (real["attainment"], real["replica_seconds"], real["starts"], 1000 * real["p50"],
             1000 * real["p99"]))
    print("| difference | %+.2f pts | %+.1f%% | | | |"
          % (sim["attainment"] - real["attainment"],
             100 * (sim["replica_seconds"] / real["replica_seconds"] - 1)
             if real["replica_seconds"] else float("nan")))
    print()
    print("real: %d errors, generator lag max %.1f ms, span %d s; load average before %s, after %s;"
          " %d cores" % (real["errors"], 1000 * real["lag_max"], real["span"], load0, load1,
                         os.cpu_count()))


if __name__ == "__main__":
    main()
