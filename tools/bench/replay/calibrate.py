#!/usr/bin/python3
"""Measures what a replica start costs on this machine, for `kairos simulate --starts`:

- process: `kairos serve --warm-pool 0`, copies of the mlp example at zero; a request to a model at
  zero, alone, answered after the replica process started (JVM start, model load, first answer):
  ROUNDS times one after another, then STORM models at the same instant. The start-to-answer time
  alone is `--cold-start`; the storm gives the start capacity (starts that progress at full speed
  together): STORM x alone / storm median. Also the replicas' resident memory and a warm answer.
- host: tools/bench/runtime/host_cycles.py loads the mlp example into a running runtime host
  (RuntimeMain --shared-host) and reports the host's own load times and resident memory.

    /usr/bin/python3 tools/bench/replay/calibrate.py [--rounds 5] [--storm 6]

Needs a built checkout (./kairos builds it). Prints the figures and the flags they give.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kairos_serve as ks  # noqa: E402


def started(serve):
    """Seconds from start to ready of each replica, as `kairos serve` logs them, by model."""
    log = open(serve.log_path).read()
    # serve's console line may be cut in two by a log line written at the same moment
    return {m: float(s) for m, s in
            re.findall(r"(\w+) v1: ready \(replica pid.*?, ([\d.]+) s\)", log, re.S)}


def process_starts(rounds, storm):
    models = tempfile.mkdtemp(prefix="kairos-calibrate-")
    alone = ["alone%d" % i for i in range(rounds)]
    together = ["storm%d" % i for i in range(storm)]
    ks.write_models(models, alone + together,
                    {"minReplicas": 0, "initialScale": 0, "maxReplicas": 1})
    serve = ks.Serve(models, ["--warm-pool", "0", "--hold-timeout", "120s"])
    try:
        port = serve.port()
        alone_s = []
        for m in alone:
            status, s = ks.infer(port, m, timeout=300)
            assert status == 200, "%s answered %d" % (m, status)
            alone_s.append(s)
        warm = sorted(ks.infer(port, alone[0])[1] for _ in range(30))
        results = [None] * storm
        gate = threading.Barrier(storm)

        def fire(i):
            gate.wait()
            results[i] = ks.infer(port, together[i], timeout=300)

        threads = [threading.Thread(target=fire, args=(i,)) for i in range(storm)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # A storm's requests may give up (the gateway's hold) before their replica is ready on a
        # loaded machine; the start times are what serve itself logs for each replica.
        deadline = time.time() + 600
        while time.time() < deadline:
            starts = started(serve)
            if all(m in starts for m in together):
                break
            time.sleep(1)
        starts = started(serve)
        storm_s = sorted(starts[m] for m in together)
        alone_logged = [starts[m] for m in alone]
        rss = [ks.rss_mib(p) for p in serve.replica_pids()]
        return alone_s, alone_logged, storm_s, warm, rss
    finally:
        serve.stop()


def host_loads(cycles):
    out = subprocess.run([sys.executable, os.path.join(ks.ROOT, "tools", "bench", "runtime",
                                                       "host_cycles.py"),
                          "--model", "mlp", "--cycles", str(cycles)],
                         capture_output=True, text=True, cwd=ks.ROOT)
    text = out.stdout + out.stderr
    load = re.search(r"median of the rest ([\d.]+) ms", text)
    before = re.search(r"host RSS before any load ([\d.]+) MiB", text)
    first = re.search(r"\| 1 \| (\d+) \|", text)
    return (float(load.group(1)) / 1000 if load else float("nan"),
            float(first.group(1)) - float(before.group(1)) if first and before else float("nan"),
            text)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--storm", type=int, default=6)
    p.add_argument("--host-cycles", type=int, default=10)
    a = p.parse_args()
    load0 = open("/proc/loadavg").read().split()[:3]
    alone, alone_logged, storm, warm, rss = process_starts(a.rounds, a.storm)
    host_s, host_mib, host_text = host_loads(a.host_cycles)
    load1 = open("/proc/loadavg").read().split()[:3]
    t1 = statistics.median(alone)
    l1 = statistics.median(alone_logged)
    tk = statistics.median(storm)
    capacity = a.storm * l1 / tk
    print("process start to first answer, alone (s): median %.3f, range %.3f-%.3f (%d rounds)"
          % (t1, min(alone), max(alone), len(alone)))
    print("  start to ready as serve logs it, alone (s): median %.3f, range %.3f-%.3f"
          % (l1, min(alone_logged), max(alone_logged)))
    print("%d at the same instant, start to ready as serve logs it (s): median %.3f,"
          " range %.3f-%.3f -> start capacity %d x %.3f / %.3f = %.2f"
          % (a.storm, tk, min(storm), max(storm), a.storm, l1, tk, capacity))
    print("warm answer (s): median %.4f, p90 %.4f" % (statistics.median(warm),
                                                      warm[int(0.9 * len(warm))]))
    print("replica RSS (MiB): median %.0f over %d replicas" % (statistics.median(rss), len(rss)))
    print("host load of the mlp into a running host (s): median %.4f; footprint %.0f MiB"
          % (host_s, host_mib))
    print("load average before: %s; after: %s; %d cores" % (" ".join(load0), " ".join(load1),
                                                           os.cpu_count()))
    print("flags: --starts process --cold-start %.2fs --start-capacity %.2f --replica-memory %dMi"
          % (t1, capacity, round(statistics.median(rss))))
    print("       --starts host --cold-start %.3fs --replica-memory %dMi"
          % (host_s, max(1, round(host_mib))))
    if host_s != host_s:
        print(host_text[-2000:])


if __name__ == "__main__":
    main()
