#!/usr/bin/python3
"""What a serve's JVM options cost once traffic is steady: a fresh `./kairos serve` per side and
round with one light model (a copy of examples/models/mlp) at zero, loaded into a shared host by
its first request, then wrk through the gateway: --warmup s, then --seconds s measured. Prints
requests/s, p50 and p99 and requests per CPU-second of serve and its processes (wrk not counted),
per round and as medians, sides alternated round by round.

    /usr/bin/python3 tools/bench/storm4/steady.py --rounds 3 --warmup 10 --seconds 10 \
        --side main=/work/main: --side new=.:
"""
import argparse
import os
import shlex
import statistics
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "hosts"))
sys.path.insert(0, os.path.join(HERE, "..", "runtime"))
sys.path.insert(0, os.path.join(HERE, "..", "storm"))
import alternate  # noqa: E402
import bench  # noqa: E402
import cpu_split  # noqa: E402
import serve  # noqa: E402


def cpu(pids):
    return sum(c for _, c in cpu_split.snapshot(pids).values())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--side", action="append", required=True, help="NAME=CHECKOUT:EXTRA SERVE ARGS")
    p.add_argument("--renice-jit", action="append", default=[],
                   help="NAME=N: after ready, that side's JIT compiler threads get N more nice")
    p.add_argument("--java-opts", action="append", default=[],
                   help="NAME=KAIROS_JAVA_OPTS for that side's serve JVM")
    a = p.parse_args()
    sides = []
    for s in a.side:
        name, _, rest = s.partition("=")
        checkout, _, extra = rest.partition(":")
        sides.append((name, os.path.abspath(checkout), shlex.split(extra)))
    body_file = os.path.join(serve.MLP, "golden", "request.json")
    body = open(body_file, "rb").read()
    java_opts = dict(j.split("=", 1) for j in a.java_opts)
    renice = {k: int(v) for k, v in (r.split("=", 1) for r in a.renice_jit)}
    rows = {n: [] for n, _, _ in sides}
    for rnd in range(a.rounds):
        order = sides if rnd % 2 == 0 else list(reversed(sides))
        for name, checkout, extra in order:
            serve.ROOT = checkout
            if name in java_opts:
                os.environ["KAIROS_JAVA_OPTS"] = java_opts[name]
            else:
                os.environ.pop("KAIROS_JAVA_OPTS", None)
            s = serve.Serve(serve.repository(1), *extra)
            try:
                url = s.url + "/v2/models/m0/infer"
                if name in renice:
                    alternate.renice_jit(serve.descendants(s.proc.pid) + [s.proc.pid], renice[name])
                urllib.request.urlopen(urllib.request.Request(
                    url, body, {"Content-Type": "application/json"}), timeout=60).read()
                bench.wrk(url, body_file, None, a.clients, a.warmup)
                pids = serve.descendants(s.proc.pid) + [s.proc.pid]
                c0 = cpu(pids)
                rps, p50, p99 = bench.wrk(url, body_file, None, a.clients, a.seconds)
                used = cpu(pids) - c0
            finally:
                s.close()
            rows[name].append((rps, p50, p99, rps * a.seconds / used))
            print("round %d %-8s %.0f req/s  p50 %.2f ms  p99 %.2f ms  %.0f req per CPU-s"
                  % (rnd + 1, name, *rows[name][-1]), flush=True)
    first = sides[0][0]
    for name, _, _ in sides:
        rs = rows[name]
        line = "%-8s req/s median %.0f [%.0f..%.0f]  p50 %.2f ms  p99 %.2f ms  req per CPU-s %.0f" % (
            name, statistics.median(r[0] for r in rs), min(r[0] for r in rs),
            max(r[0] for r in rs), statistics.median(r[1] for r in rs),
            statistics.median(r[2] for r in rs), statistics.median(r[3] for r in rs))
        if name != first:
            ratios = [r[0] / b[0] for r, b in zip(rs, rows[first])]
            line += "  req/s / %s per round %s" % (first, ", ".join("%.2f" % x for x in ratios))
        print(line)


if __name__ == "__main__":
    main()
