#!/usr/bin/python3
"""Where a storm's CPU goes: a fresh `./kairos serve` with N light models at zero, one request to
each at the same instant (storm.py's), and the CPU time each process and each kind of thread
(named by the JVM: C2/C1 compilers, GC, event loops, model loads...) used from just before the
storm until every answer came back, from /proc/PID/task/TID/stat. Several rounds, each a fresh serve.

    /usr/bin/python3 tools/bench/storm/cpu_split.py [--models 50] [--rounds 3] [--serve-args ...]
"""
import argparse
import collections
import os
import re
import shlex
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "hosts"))
import serve  # noqa: E402
import storm  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def threads(pid):
    """{(pid, tid): (name, cpu seconds)} for every thread of pid."""
    out = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                s = f.read()
        except OSError:
            continue
        name = s[s.index("(") + 1:s.rindex(")")]
        fields = s[s.rindex(")") + 2:].split()
        out[(pid, tid)] = (name, (int(fields[11]) + int(fields[12])) / TICK)
    return out


def kind(name):
    if re.match(r"C[12] Compiler", name):
        return name[:2] + " compiler"
    name = re.sub(r"[-#]?\d+$", "", name)
    name = re.sub(r"\d+", "N", name)
    if name.startswith("codec-") or name.startswith("infer-") or name.startswith("batcher"):
        return name.split("-")[0] + "-*"
    return name


def snapshot(pids):
    out = {}
    for p in pids:
        out.update(threads(p))
    return out


def role(s, pid):
    if pid == s.proc.pid:
        return "serve"
    try:
        cmd = open("/proc/%d/cmdline" % pid).read()
    except OSError:
        return "?"
    if "--shared-host" in cmd:
        return "host"
    if "--standby" in cmd:
        return "standby"
    return "other"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", type=int, default=50)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--serve-args", default="")
    a = p.parse_args()
    for r in range(a.rounds):
        repo = serve.repository(a.models)
        s = serve.Serve(repo, *shlex.split(a.serve_args))
        try:
            time.sleep(2)
            pids = serve.descendants(s.proc.pid) + [s.proc.pid]
            before = snapshot(pids)
            t0 = time.monotonic()
            c0 = os.times()
            res = storm.storm(s.url, ["m%d" % i for i in range(a.models)])
            wall = time.monotonic() - t0
            c1 = os.times()
            after = snapshot(pids)
            lat = sorted(t for st, t in res)
            ok = sum(1 for st, t in res if st == 200)
            by_role = collections.Counter()
            by_kind = collections.Counter()
            for key, (name, cpu) in after.items():
                used = cpu - before.get(key, (name, 0.0))[1]
                rl = role(s, key[0])
                by_role[rl] += used
                by_kind[rl + ":" + kind(name)] += used
            client = (c1.user + c1.system) - (c0.user + c0.system)
            total = sum(by_role.values()) + client
            print("round %d: %d/%d 200, p50 %.3f s, max %.3f s, wall %.3f s, CPU %.2f s "
                  "(%.2f cores)" % (r + 1, ok, a.models, lat[len(lat) // 2], lat[-1], wall, total,
                                    total / wall))
            print("  by process: " + ", ".join("%s %.2f s" % kv for kv in by_role.most_common())
                  + ", client %.2f s" % client)
            print("  by thread kind: " + ", ".join("%s %.2f" % kv
                                                   for kv in by_kind.most_common(14)))
        finally:
            s.close()


if __name__ == "__main__":
    main()
