#!/usr/bin/python3
"""Served ResNet-18 against the raw ONNX Runtime loop, for several builds side by side (issue 21,
runtime alone): bench.py's measurement, with every build's replica and the raw loop interleaved
in each round.

    /usr/bin/python3 tools/bench/rt95/ab.py --variants main=/tmp/main-cli-target,rt95=cli/target \
        [--batches 1,8,32] [--rounds 5] [--seconds 10] [--warmup 20]

A variant is NAME=DIR, DIR holding kairos-cli.jar and lib/ (a build's cli/target); NAME=DIR:bare
starts that replica without the allocator settings `kairos serve` gives replicas (as bench.py did
before session 7). For each batch size: one raw loop (RawOrtLoop.java, the engine's session
settings) and one replica per variant (RuntimeMain, 1 worker x all cores, the JVM options and
environment `kairos serve` gives replicas), each replica warmed with wrk (WARMUP s at the first
batch size, a third at the others), then ROUNDS rounds of one SECONDS slice each (raw, then each
variant; the order turns by one each round). Ratios are a variant's slice over the raw slice of
the same round, in rows per second and in rows per CPU-second of the measured process.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "runtime"))
import bench  # noqa: E402


def start(dir_, bare, model_dir, cores):
    bench.JAR = os.path.join(dir_, "kairos-cli.jar")
    bench.LIB = os.path.join(dir_, "lib")
    saved = dict(bench.REPLICA_ENV)
    if bare:
        bench.REPLICA_ENV.clear()
        bench.REPLICA_ENV.update({"MALLOC_ARENA_MAX": "2", "MALLOC_TRIM_THRESHOLD_": "1048576"})
    try:
        return bench.Replica(model_dir, cores, 1)
    finally:
        bench.REPLICA_ENV.clear()
        bench.REPLICA_ENV.update(saved)


def served(rep, body, hlen, clients, seconds, b):
    """bench.served's measurement, with the CPU counted both ways (up to wrk's end over wrk's rows,
    as before session 7; until idle over the replica's own rows, as now) and wrk's own CPU."""
    url = "http://127.0.0.1:%d/v2/models/resnet18/infer" % rep.port
    r0 = bench.rows_computed(rep)
    c0 = bench.cpu_seconds(rep.proc.pid)
    w0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    rps, p50, _ = bench.wrk(url, body, hlen, clients, seconds)
    w1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    c1 = bench.cpu_seconds(rep.proc.pid)
    bench.drain(rep.proc.pid)
    c2 = bench.cpu_seconds(rep.proc.pid)
    rows = rps * b * seconds
    computed = bench.rows_computed(rep) - r0
    wrk_cpu = (w1.ru_utime + w1.ru_stime) - (w0.ru_utime + w0.ru_stime)
    return (rps * b, computed / (c2 - c0), p50, rows / (c1 - c0), wrk_cpu * 1000 / max(1, rps * seconds), rps * b)


def span(v, f="%.3f"):
    return (f + " (" + f + "–" + f + ")") % (statistics.median(v), min(v), max(v))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--variants", required=True)
    p.add_argument("--batches", default="1,8,32")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--cores", type=int, default=os.cpu_count())
    a = p.parse_args()
    variants = []
    for v in a.variants.split(","):
        name, spec = v.split("=", 1)
        d, _, flag = spec.partition(":")
        variants.append((name, os.path.abspath(d), flag == "bare"))
    os.makedirs(bench.WORK, exist_ok=True)
    model = subprocess.run(["/usr/bin/python3", os.path.join(bench.HERE, "make_resnet18.py")],
                           capture_output=True, text=True, check=True).stdout.strip()
    model_dir = os.path.dirname(os.path.dirname(model))
    loads = [bench.load_average()]
    reps = {}
    results = {}
    try:
        for name, d, bare in variants:
            reps[name] = start(d, bare, model_dir, a.cores)
        bench.LIB = os.path.join(variants[0][1], "lib")
        for k, b in enumerate(int(x) for x in a.batches.split(",")):
            body = os.path.join(bench.WORK, "resnet-b%d.bin" % b)
            hlen = bench.binary_body(body, "input", [b, 3, 224, 224], "output")
            clients = 3 if b == 1 else 2
            warm = a.warmup if k == 0 else max(1, a.warmup // 3)
            for name, rep in reps.items():
                bench.wrk("http://127.0.0.1:%d/v2/models/resnet18/infer" % rep.port, body, hlen, clients, warm)
                bench.drain(rep.proc.pid)
            loop = bench.RawLoop(model, b, a.cores)
            try:
                loop.run(min(warm, 5))
                for r in range(a.rounds):
                    order = ["raw"] + [n for n, _, _ in variants]
                    order = order[r % len(order):] + order[:r % len(order)]
                    got = {}
                    for who in order:
                        if who == "raw":
                            rps, p50, p99, cpu = loop.run(a.seconds)
                            got[who] = (rps, rps * a.seconds / cpu, p50, loop.before[1], 0, loop.before[0])
                        else:
                            got[who] = served(reps[who], body, hlen, clients, a.seconds, b)
                    loads.append(bench.load_average())
                    line = "batch %d round %d (load %s): raw %.1f rows/s %.1f/CPU-s" % (
                        b, r + 1, loads[-1], got["raw"][0], got["raw"][1])
                    for n, _, _ in variants:
                        wall, per_cpu = got[n][0] / got["raw"][0], got[n][1] / got["raw"][1]
                        old_cpu = got[n][3] / got["raw"][3]
                        old_wall = got[n][5] / got["raw"][5]
                        results.setdefault((b, n), []).append((wall, per_cpu, old_cpu, got[n][4], old_wall))
                        line += ("; %s %.1f rows/s %.1f/CPU-s = %.3f wall, %.3f per CPU-s"
                                 " (as counted before: %.3f, %.3f), wrk %.2f ms CPU per request") % (
                            n, got[n][0], got[n][1], wall, per_cpu, old_wall, old_cpu, got[n][4])
                    bench.log(line)
            finally:
                loop.close()
    finally:
        for rep in reps.values():
            rep.close()
    print("| batch | build | served / raw, wall: median (min–max) | per CPU-second | as counted before session 7: wall, per CPU-second | rounds, wall | rounds, per CPU-second | wrk ms CPU per request |")
    print("|---|---|---|---|---|---|---|---|")
    for b in (int(x) for x in a.batches.split(",")):
        for n, _, _ in variants:
            rs = results[(b, n)]
            print("| %d | %s | **%s** | **%s** | %s | %s | %s | %s |" % (
                b, n, span([x[0] for x in rs]), span([x[1] for x in rs]),
                statistics.median(x[4] for x in rs).__format__(".3f") + ", " + statistics.median(x[2] for x in rs).__format__(".3f"),
                " ".join("%.3f" % x[0] for x in rs), " ".join("%.3f" % x[1] for x in rs),
                span([x[3] for x in rs], "%.2f")))
    print("\nLoad average (1 min) at the start and after each round: %s." % " ".join(loads))


if __name__ == "__main__":
    main()
