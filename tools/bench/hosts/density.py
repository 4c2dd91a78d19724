#!/usr/bin/python3
"""Density: a fresh `./kairos serve` with --registered light models (copies of the MLP) at zero,
--loaded of them loaded (one request each, 8 at a time); prints the resident memory of serve and
all its processes. Then a hot model's latency (closed loop, --clients clients, --requests each)
with all of them registered, against the same model served alone in a fresh serve, rounds
interleaved.

    /usr/bin/python3 tools/bench/hosts/density.py [--registered 1000] [--loaded 200] [--rounds 2]
"""
import argparse
import concurrent.futures
import http.client
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve  # noqa: E402
import storm  # noqa: E402


def hot(url, model, clients, requests):
    host, port = url[len("http://"):].split(":")

    def one(_):
        c = http.client.HTTPConnection(host, int(port), timeout=60)
        lat = []
        for _ in range(requests):
            t0 = time.monotonic()
            c.request("POST", "/v2/models/%s/infer" % model, storm.BODY,
                      {"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            assert r.status == 200, r.status
            lat.append(time.monotonic() - t0)
        c.close()
        return lat

    with concurrent.futures.ThreadPoolExecutor(clients) as ex:
        return [t for part in ex.map(one, range(clients)) for t in part]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--registered", type=int, default=1000)
    p.add_argument("--loaded", type=int, default=200)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--requests", type=int, default=500)
    a = p.parse_args()
    rows = {"alone": [], "registered": []}
    for rnd in range(a.rounds):
        for kind in ("alone", "registered"):
            n = 1 if kind == "alone" else a.registered
            t0 = time.monotonic()
            s = serve.Serve(serve.repository(n), ready_timeout=1200)
            started = time.monotonic() - t0
            try:
                if kind == "registered":
                    names = ["m%d" % i for i in range(a.loaded)]
                    t1 = time.monotonic()
                    with concurrent.futures.ThreadPoolExecutor(8) as ex:
                        res = list(ex.map(lambda m: storm.storm(s.url, [m])[0], names))
                    bad = [r for r in res if r[0] != 200]
                    rss, procs = s.rss_mib()
                    print("round %d: %d registered (serve ready in %.0f s), %d loaded in %.0f s "
                          "(%d not 200): RSS %.0f MiB in %d processes"
                          % (rnd + 1, n, started, a.loaded, time.monotonic() - t1, len(bad), rss,
                             procs), flush=True)
                hot(s.url, "m0", a.clients, 50)  # warm-up
                lat = hot(s.url, "m0", a.clients, a.requests)
                p50, p99 = statistics.median(lat), serve.percentile(lat, 0.99)
                rows[kind].append(p99)
                print("round %d %-10s hot model p50 %.2f ms p99 %.2f ms"
                      % (rnd + 1, kind, 1000 * p50, 1000 * p99), flush=True)
            finally:
                s.close()
    alone, reg = statistics.median(rows["alone"]), statistics.median(rows["registered"])
    print("hot p99 median: alone %.2f ms, with %d registered %.2f ms, ratio %.2f"
          % (1000 * alone, a.registered, 1000 * reg, reg / alone))


if __name__ == "__main__":
    main()
