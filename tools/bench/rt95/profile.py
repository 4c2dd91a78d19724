#!/usr/bin/python3
"""Where a served ResNet-18 replica's time goes beyond the engine, with JFR (issue 21, runtime alone).

    /usr/bin/python3 tools/bench/rt95/profile.py [--batches 1,32] [--warmup 20] [--seconds 20]
        [--jar-dir cli/target] [--out DIR]

Starts one replica as bench.py does (the JVM options `kairos serve` gives replicas) plus a JFR
recording (profile settings), warms it with wrk, then for each batch size measures a window: CPU
by thread from /proc (threads.py's groups), minor page faults, context switches, and JFR's Java
execution samples of the replica's non-engine threads, top frames. The recording is kept in DIR.
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "runtime"))
import bench  # noqa: E402
import threads  # noqa: E402


def proc_counts(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    minflt = int(fields[7])
    vol = invol = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches"):
                        vol += int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches"):
                        invol += int(line.split()[1])
        except FileNotFoundError:
            pass
    return minflt, vol, invol


def system_time(pid):
    """Each thread's kernel CPU time (of threads.threads' total)."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                s = f.read()
        except FileNotFoundError:
            continue
        out[tid] = (s[s.index("(") + 1:s.rindex(")")],
                    int(s.rsplit(")", 1)[1].split()[12]) / os.sysconf("SC_CLK_TCK"))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batches", default="1", help="comma-separated; JFR samples are not split by batch")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--seconds", type=int, default=20)
    p.add_argument("--jar-dir", default=os.path.join(bench.ROOT, "cli", "target"))
    p.add_argument("--out", default="/tmp/rt95-profile")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    os.makedirs(bench.WORK, exist_ok=True)
    bench.JAR = os.path.join(a.jar_dir, "kairos-cli.jar")
    bench.LIB = os.path.join(a.jar_dir, "lib")
    jfr = os.path.join(a.out, "replica.jfr")
    bench.REPLICA_JVM = bench.REPLICA_JVM + [
        "-XX:StartFlightRecording=settings=profile,filename=%s,dumponexit=true" % jfr]
    model = subprocess.run(["/usr/bin/python3", os.path.join(bench.HERE, "make_resnet18.py")],
                           capture_output=True, text=True, check=True).stdout.strip()
    rep = bench.Replica(os.path.dirname(os.path.dirname(model)), os.cpu_count(), 1)
    url = "http://127.0.0.1:%d/v2/models/resnet18/infer" % rep.port
    windows = []
    try:
        for k, b in enumerate(int(x) for x in a.batches.split(",")):
            body = os.path.join(bench.WORK, "resnet-b%d.bin" % b)
            hlen = bench.binary_body(body, "input", [b, 3, 224, 224], "output")
            clients = 3 if b == 1 else 2
            bench.wrk(url, body, hlen, clients, a.warmup if k == 0 else max(1, a.warmup // 3))
            bench.drain(rep.proc.pid)
            t0 = threads.threads(rep.proc.pid)
            s0 = system_time(rep.proc.pid)
            c0 = proc_counts(rep.proc.pid)
            start = time.time()
            rps, p50, p99 = bench.wrk(url, body, hlen, clients, a.seconds)
            end = time.time()
            t1 = threads.threads(rep.proc.pid)
            s1 = system_time(rep.proc.pid)
            c1 = proc_counts(rep.proc.pid)
            n = rps * a.seconds
            by = collections.Counter()
            for tid, (name, cpu) in t1.items():
                by[threads.group(name)] += cpu - t0.get(tid, (name, 0))[1]
            for tid, (name, sys_s) in s1.items():
                by[threads.group(name) + ", kernel"] += sys_s - s0.get(tid, (name, 0))[1]
            total = sum(v for g, v in by.items() if not g.endswith(", kernel"))
            print("batch %d: %.1f req/s (%.1f rows/s), p50 %.1f ms, %.1f rows per CPU-s, %.2f ms CPU per request"
                  % (b, rps, rps * b, p50, rps * b * a.seconds / total, total * 1000 / n))
            for g, v in by.most_common():
                print("  %-45s %7.2f ms/request %5.1f %%" % (g, v * 1000 / n, 100 * v / total))
            print("  minor faults %.0f, voluntary switches %.0f, involuntary %.0f per request" % tuple(
                (y - x) / n for x, y in zip(c0, c1)))
            windows.append((b, start, end))
            bench.drain(rep.proc.pid)
    finally:
        rep.close()
    # JFR: execution samples in each window, by thread group and top frame
    out = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample,jdk.NativeMethodSample", jfr],
                         capture_output=True, text=True).stdout
    if True:
        tops = collections.Counter()
        leaf = collections.Counter()
        for ev in out.split("jdk.")[1:]:
            m = re.search(r'startTime = (\S+)', ev)
            th = re.search(r'sampledThread = "([^"]+)"', ev)
            if not m or not th:
                continue
            frames = re.findall(r'^\s+([\w$.<>]+\(.*?\)) line:', ev, re.M)
            if not frames:
                continue
            tops[(threads.group(th.group(1)), ev.split()[0], frames[0])] += 1
            for f in frames[:12]:
                if "dev.kairos" in f:
                    leaf[(threads.group(th.group(1)), f)] += 1
                    break
        print("\nJFR samples over the whole run (warm-up included), top frames:")
        for (g, kind, f), c in tops.most_common(25):
            print("  %5d %-20s %-18s %s" % (c, g[:20], kind, f[:110]))
        print("  first Kairos frame:")
        for (g, f), c in leaf.most_common(15):
            print("  %5d %-20s %s" % (c, g[:20], f[:110]))


if __name__ == "__main__":
    main()
