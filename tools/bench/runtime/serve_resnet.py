#!/usr/bin/python3
"""ResNet-18 through `kairos serve` as shipped (gateway, then the model's replica) against the raw
ONNX Runtime loop, at batch 1, with C closed-loop clients, side by side in one run (issue 21:
>= 0.9x the raw loop, every connection served evenly).

    /usr/bin/python3 tools/bench/runtime/serve_resnet.py [--rounds 3] [--seconds 10]
        [--clients 1,4,8] [--warmup 20] [--serve-args "..."]

Needs the built CLI (./kairos --help) and Debian wrk. The model is tools/bench/models/resnet18
(tools/bench/runtime/make_resnet18.py writes it), served with one replica (min = max = 1: the
raw loop is one engine), its model.yaml otherwise as committed (class heavy: a process of its
own). Each round, for each C: `wrk -tC -cC` (one connection per wrk thread, closed loop) posts
binary-extension requests of one image to the gateway for SECONDS, then the raw loop
(RawOrtLoop.java, the engine's session settings, as many intra-op threads as the replica's
engine has) runs for SECONDS; the order alternates between rounds. CPU per request is the serve
JVM and its replica together (from /proc), against the raw loop's process. Fairness: the slowest
connection's answer count over the median connection's (closed.lua prints them).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "hosts"))
import bench  # noqa: E402
import serve  # noqa: E402
import threads  # noqa: E402

MODEL = os.path.join(bench.ROOT, "tools", "bench", "models", "resnet18")


def repository():
    repo = tempfile.mkdtemp(prefix="kairos-serve-resnet-")
    d = os.path.join(repo, "resnet18")
    os.makedirs(os.path.join(d, "1"))
    onnx = os.path.join(MODEL, "1", "model.onnx")
    os.symlink(onnx, os.path.join(d, "1", "model.onnx"))
    with open(os.path.join(MODEL, "model.yaml")) as f:
        yaml = f.read()
    with open(os.path.join(d, "model.yaml"), "w") as f:
        f.write(yaml + "scaling: {minReplicas: 1, maxReplicas: 1, initialScale: 1}\n")
    return repo


def tree_cpu(pid):
    total = 0.0
    for p in [pid] + serve.descendants(pid):
        try:
            total += bench.cpu_seconds(p)
        except OSError:
            pass
    return total


def closed_loop(url, body, hlen, clients, seconds):
    env = dict(os.environ, BODY=body, HLEN=str(hlen))
    out = subprocess.run(
        ["wrk", "-t%d" % clients, "-c%d" % clients, "-d%ds" % seconds, "--latency", "--timeout", "30s",
         "-s", os.path.join(HERE, "closed.lua"), url],
        env=env, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    conns = [(int(a), int(b)) for a, b in re.findall(r"^conn \d+ 2xx=(\d+) other=(\d+)", out, re.M)]
    other = sum(b for _, b in conns)
    if other or len(conns) != clients:
        raise RuntimeError("non-2xx answers or missing connections:\n" + out)
    counts = [a for a, _ in conns]
    return rps, bench.ms(lat["50"]), bench.ms(lat["99"]), counts


def profile(s, url, body, hlen, seconds, perf_dir):
    """Where the CPU of one closed-loop client's requests goes: each process under serve, by thread
    name (numbers stripped), in milliseconds of CPU per request."""
    pids = [s.proc.pid] + serve.descendants(s.proc.pid)
    java = [p for p in pids if p == s.proc.pid or "--exit-with-parent" in open("/proc/%d/cmdline" % p).read()]
    recorders = []
    if perf_dir:
        os.makedirs(perf_dir, exist_ok=True)
        for p in java:
            recorders.append(subprocess.Popen(
                ["perf", "record", "-q", "-F", "999", "-g", "-p", str(p), "-o",
                 os.path.join(perf_dir, "perf-%d.data" % p), "--", "sleep", str(seconds)]))
    before = {p: threads.threads(p) for p in pids}
    rps, p50, _, _ = closed_loop(url, body, hlen, 1, seconds)
    for r in recorders:
        r.wait()
    for p in java if perf_dir else []:
        subprocess.run(["jcmd", str(p), "Compiler.perfmap"], capture_output=True)
    n = rps * seconds
    for p in pids:
        after = threads.threads(p)
        with open("/proc/%d/cmdline" % p) as f:
            what = "serve" if p == s.proc.pid else f.read().split("\0")[-2][:60]
        by = {}
        for tid, (name, cpu) in after.items():
            key = re.sub(r"\d+", "N", name)
            by[key] = by.get(key, 0) + cpu - before[p].get(tid, (name, 0))[1]
        total = sum(by.values())
        print("pid %d (%s): %.2f ms CPU per request" % (p, what, total * 1000 / n))
        for k, v in sorted(by.items(), key=lambda kv: -kv[1])[:8]:
            if v > 0:
                print("  %-24s %.2f ms" % (k, v * 1000 / n))
    print("%d requests, %.1f/s, p50 %.1f ms" % (n, rps, p50))


def span(values, f="%.2f"):
    return (f + " (" + f + "–" + f + ")") % (statistics.median(values), min(values), max(values))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--clients", default="1,4,8")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="the raw loop's intra-op threads")
    p.add_argument("--serve-args", default="")
    p.add_argument("--profile", type=int, default=0,
                   help="instead of the comparison: SECONDS of one client, then each process's CPU by thread")
    p.add_argument("--perf", default="",
                   help="with --profile: also `perf record` the serve JVM and its replica into DIR "
                        "(Java frames named through `jcmd PID Compiler.perfmap`)")
    a = p.parse_args()
    clients = [int(c) for c in a.clients.split(",")]
    os.makedirs(bench.WORK, exist_ok=True)
    body = os.path.join(bench.WORK, "resnet18-b1.bin")
    hlen = bench.binary_body(body, "input", [1, 3, 224, 224], "output")
    loads = [bench.load_average()]
    repo = repository()
    s = serve.Serve(repo, *a.serve_args.split())
    raw = None
    try:
        url = s.url + "/v2/models/resnet18/infer"
        bench.log("serve at", s.url, "warming up", a.warmup, "s")
        closed_loop(url, body, hlen, 4, a.warmup)
        if a.profile:
            profile(s, url, body, hlen, a.profile, a.perf)
            return
        raw = bench.RawLoop(os.path.join(MODEL, "1", "model.onnx"), 1, a.threads)
        raw.run(max(5, a.warmup // 2))
        rows = {c: [] for c in clients}
        for r in range(a.rounds):
            for c in clients:
                def served():
                    c0 = tree_cpu(s.proc.pid)
                    rps, p50, p99, counts = closed_loop(url, body, hlen, c, a.seconds)
                    cpu = tree_cpu(s.proc.pid) - c0
                    bench.drain(s.proc.pid)
                    return dict(rps=rps, p50=p50, p99=p99, per_cpu=rps * a.seconds / cpu,
                                fair=min(counts) / statistics.median(counts), counts=counts)

                def raw_slice():
                    rps, p50, p99, cpu = raw.run(a.seconds)
                    return dict(rps=rps, p50=p50, p99=p99, per_cpu=rps * a.seconds / cpu)

                if r % 2 == 0:
                    sv, rw = served(), raw_slice()
                else:
                    rw, sv = raw_slice(), served()
                row = dict(served=sv, raw=rw, wall=sv["rps"] / rw["rps"], cpu=sv["per_cpu"] / rw["per_cpu"])
                rows[c].append(row)
                bench.log("round %d C=%d served %.1f/s (%.1f per CPU-s, p50 %.1f ms, conns %s) raw %.1f/s "
                          "(%.1f per CPU-s): wall %.2f cpu %.2f" % (
                              r + 1, c, sv["rps"], sv["per_cpu"], sv["p50"], sv["counts"], rw["rps"],
                              rw["per_cpu"], row["wall"], row["cpu"]))
            loads.append(bench.load_average())
    finally:
        if raw:
            raw.close()
        s.close()
        shutil.rmtree(repo, ignore_errors=True)
    print("| clients | served req/s | raw req/s | served / raw, wall | served / raw, per CPU-second "
          "| served p50 / p99 ms | raw p50 ms | slowest / median connection |")
    print("|---|---|---|---|---|---|---|---|")
    for c in clients:
        rs = rows[c]
        print("| %d | %s | %s | **%s** | **%s** | %.1f / %.1f | %.1f | %s |" % (
            c, span([x["served"]["rps"] for x in rs], "%.1f"), span([x["raw"]["rps"] for x in rs], "%.1f"),
            span([x["wall"] for x in rs]), span([x["cpu"] for x in rs]),
            statistics.median([x["served"]["p50"] for x in rs]),
            statistics.median([x["served"]["p99"] for x in rs]),
            statistics.median([x["raw"]["p50"] for x in rs]),
            span([x["served"]["fair"] for x in rs]) if c > 1 else "–"))
    print()
    print("%d rounds of %d s; load average (1 min) at the start and after each round: %s." % (
        a.rounds, a.seconds, " ".join(loads)))


if __name__ == "__main__":
    main()
