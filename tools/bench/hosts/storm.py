#!/usr/bin/python3
"""Cold-start storm: N light models (copies of examples/models/mlp) at zero replicas in a fresh
`./kairos serve`, one request to each at the same instant. Prints how many were answered 200 and
the latencies (p50, p90, max), for each serve configuration asked, alternating, several rounds.

    /usr/bin/python3 tools/bench/hosts/storm.py [--models 50] [--rounds 3]
        [--config hosts=] [--config processes=--shared-hosts 0] ...

Each --config is NAME=EXTRA SERVE ARGS; the default compares shared hosts (the default serve)
with one process per replica (--shared-hosts 0). Build first: ./kairos --help.
"""
import argparse
import http.client
import os
import shlex
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve  # noqa: E402

BODY = open(os.path.join(serve.MLP, "golden", "request.json"), "rb").read()


def storm(url, names, body=BODY):
    host, port = url[len("http://"):].split(":")
    barrier = threading.Barrier(len(names))
    results = [None] * len(names)

    def one(i, name):
        c = http.client.HTTPConnection(host, int(port), timeout=120)
        c.connect()
        barrier.wait()
        t0 = time.monotonic()
        try:
            c.request("POST", "/v2/models/%s/infer" % name, body,
                      {"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            results[i] = (r.status, time.monotonic() - t0)
        except Exception as e:  # noqa: BLE001 - a lost request is a result
            results[i] = (repr(e), time.monotonic() - t0)
        finally:
            c.close()

    threads = [threading.Thread(target=one, args=(i, n)) for i, n in enumerate(names)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", type=int, default=50)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--config", action="append")
    a = p.parse_args()
    configs = []
    for c in a.config or ["hosts=", "processes=--shared-hosts 0"]:
        name, _, extra = c.partition("=")
        configs.append((name, shlex.split(extra)))
    summary = {name: [] for name, _ in configs}
    for rnd in range(a.rounds):
        for name, extra in configs:
            repo = serve.repository(a.models)
            s = serve.Serve(repo, *extra)
            try:
                names = ["m%d" % i for i in range(a.models)]
                res = storm(s.url, names)
                ok = [t for st, t in res if st == 200]
                lat = [t for _, t in res]
                statuses = {}
                for st, _ in res:
                    statuses[st] = statuses.get(st, 0) + 1
                rss, procs = s.rss_mib()
                row = dict(ok=len(ok), p50=statistics.median(lat), p90=serve.percentile(lat, 0.9),
                           max=max(lat), rss=rss, procs=procs)
                summary[name].append(row)
                print("round %d %-10s %d/%d 200  p50 %.3f s  p90 %.3f s  max %.3f s  "
                      "RSS %.0f MiB in %d processes  statuses %s"
                      % (rnd + 1, name, len(ok), a.models, row["p50"], row["p90"], row["max"],
                         rss, procs, statuses), flush=True)
            finally:
                s.close()
    print("\nmedians over %d rounds, %d models" % (a.rounds, a.models))
    for name, rows in summary.items():
        print("%-10s 200s %s  p50 %.3f s  max %.3f s  RSS %.0f MiB"
              % (name, [r["ok"] for r in rows], statistics.median(r["p50"] for r in rows),
                 statistics.median(r["max"] for r in rows),
                 statistics.median(r["rss"] for r in rows)))


if __name__ == "__main__":
    main()
