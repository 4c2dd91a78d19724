#!/usr/bin/python3
"""The storm of tools/bench/hosts/storm.py, alternated round by round over several sides, each a
checkout (built with ./kairos --help) and extra serve arguments. Prints per round each side's
200s, p50, max and the serve's time from launch to "Kairos ready"; then medians, ranges and the
per-round ratio of every side's p50 to the first side's.

    /usr/bin/python3 tools/bench/storm4/alternate.py --models 50 --rounds 6 \
        --side main=/work/main: --side w100=.:--host-warm-up 100
"""
import argparse
import os
import shlex
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "hosts"))
sys.path.insert(0, os.path.join(HERE, "..", "storm"))
import cpu_split  # noqa: E402
import serve  # noqa: E402
import storm  # noqa: E402


def renice_jit(pids, more):
    for (pid, tid), (name, _) in cpu_split.snapshot(pids).items():
        if cpu_split.kind(name).endswith("compiler"):
            t = int(tid)
            os.setpriority(os.PRIO_PROCESS, t, os.getpriority(os.PRIO_PROCESS, t) + more)


def cpu_of(s, before, after):
    """CPU seconds of serve and its processes between two snapshots: all, and the compilers'."""
    total = jit = 0.0
    for key, (name, cpu) in after.items():
        used = cpu - before.get(key, (name, 0.0))[1]
        total += used
        if cpu_split.kind(name).endswith("compiler"):
            jit += used
    return total, jit


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", type=int, default=50)
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--side", action="append", required=True,
                   help="NAME=CHECKOUT:EXTRA SERVE ARGS")
    p.add_argument("--renice-jit", action="append", default=[],
                   help="NAME=N: after ready, that side's JIT compiler threads (serve and every"
                        " process under it) get N more nice than they had (an experiment)")
    p.add_argument("--java-opts", action="append", default=[],
                   help="NAME=KAIROS_JAVA_OPTS for that side's serve JVM")
    a = p.parse_args()
    sides = []
    for s in a.side:
        name, _, rest = s.partition("=")
        checkout, _, extra = rest.partition(":")
        sides.append((name, os.path.abspath(checkout), shlex.split(extra)))
    java_opts = dict(j.split("=", 1) for j in a.java_opts)
    renice = {k: int(v) for k, v in (r.split("=", 1) for r in a.renice_jit)}
    rows = {n: [] for n, _, _ in sides}
    names = ["m%d" % i for i in range(a.models)]
    for rnd in range(a.rounds):
        # alternate which side goes first, so neither always follows the other
        order = sides if rnd % 2 == 0 else list(reversed(sides))
        for name, checkout, extra in order:
            serve.ROOT = checkout
            repo = serve.repository(a.models)
            if name in java_opts:
                os.environ["KAIROS_JAVA_OPTS"] = java_opts[name]
            else:
                os.environ.pop("KAIROS_JAVA_OPTS", None)
            t0 = time.monotonic()
            s = serve.Serve(repo, *extra)
            ready = time.monotonic() - t0
            try:
                pids = serve.descendants(s.proc.pid) + [s.proc.pid]
                if name in renice:
                    renice_jit(pids, renice[name])
                before = cpu_split.snapshot(pids)
                res = storm.storm(s.url, names)
                cpu, jit = cpu_of(s, before, cpu_split.snapshot(pids))
            finally:
                s.close()
            lat = [t for _, t in res]
            ok = sum(1 for st, _ in res if st == 200)
            r = dict(ok=ok, p50=statistics.median(lat), max=max(lat), ready=ready, cpu=cpu, jit=jit)
            rows[name].append(r)
            print("round %d %-8s %d/%d 200  p50 %.3f s  max %.3f s  ready after %.1f s  "
                  "storm CPU %.2f s (compilers %.2f s)"
                  % (rnd + 1, name, ok, a.models, r["p50"], r["max"], ready, cpu, jit), flush=True)
    first = sides[0][0]
    print("\n%d rounds, %d models" % (a.rounds, a.models))
    for name, _, _ in sides:
        rs = rows[name]
        p50s = [r["p50"] for r in rs]
        maxs = [r["max"] for r in rs]
        line = ("%-8s 200s %s  p50 median %.3f s [%.3f..%.3f]  max median %.3f s [%.3f..%.3f]"
                "  ready median %.1f s  storm CPU median %.2f s, compilers %.2f s"
                % (name, [r["ok"] for r in rs], statistics.median(p50s), min(p50s), max(p50s),
                   statistics.median(maxs), min(maxs), max(maxs),
                   statistics.median(r["ready"] for r in rs),
                   statistics.median(r["cpu"] for r in rs), statistics.median(r["jit"] for r in rs)))
        if name != first:
            ratios = [r["p50"] / b["p50"] for r, b in zip(rs, rows[first])]
            line += "  p50/%s per round %s (median %.2f)" % (
                first, ", ".join("%.2f" % x for x in ratios), statistics.median(ratios))
        print(line)
    print("p50 of every round: " + "; ".join(
        "%s %s" % (n, ", ".join("%.3f" % r["p50"] for r in rows[n])) for n, _, _ in sides))


if __name__ == "__main__":
    main()
