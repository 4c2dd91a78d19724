#!/usr/bin/python3
"""Cold load into a running host: a fresh `./kairos serve` with N light models at zero; one
request at a time, each to a model not loaded yet, timed from send to answer (the activator's
hold, the load into a warm host, the first inference). Prints p50 and the range.

    /usr/bin/python3 tools/bench/hosts/coldload.py [--models 30] [--serve-args "--shared-hosts 0"]
        [--model tools/bench/models/resnet18 --request tools/bench/models/resnet18/golden/request.json]

--model copies another model folder instead of examples/models/mlp (its model.yaml is replaced by
the bench's: the copies are light models at zero, placed by serve; --serve-args "--shared-hosts 0"
gives each a process of its own).

--prime serves every copy once in a first serve (one request each, untimed), stops it, and measures
in a second serve on the same repository: models at zero that were loaded on this machine before
(after a restart, or a scale to zero), whose engine may keep what it made at their first load (ONNX
Runtime's optimised graph, beside the model). Without it every load is the model's first ever.

--wait-prepared waits, before the first request, until serve says it has prepared the registered
models ahead of their first request (`--prepare-models`, on by default: their optimised graphs made
in the background) and prints how long that took after "Kairos ready". Without it the requests
start at "Kairos ready", while the preparation runs (or, with --serve-args --no-prepare-models,
without one: every load is the model's first ever).
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve  # noqa: E402
import storm  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", type=int, default=30)
    p.add_argument("--serve-args", default="")
    p.add_argument("--model", default=serve.MLP)
    p.add_argument("--request", default=None, help="default: the model's golden/request.json")
    p.add_argument("--prime", action="store_true",
                   help="load every model once in a first serve, measure in a second one")
    p.add_argument("--wait-prepared", action="store_true",
                   help="wait for serve's background preparation of the models to finish")
    a = p.parse_args()
    body = open(a.request or os.path.join(a.model, "golden", "request.json"), "rb").read()
    repo = serve.repository(a.models, source=a.model)
    if a.prime:
        s = serve.Serve(repo, *a.serve_args.split())
        try:
            for i in range(a.models):
                st, _ = storm.storm(s.url, ["m%d" % i], body)[0]
                assert st == 200, (st, s.lines[-5:])
        finally:
            s.close(keep_repo=True)
    s = serve.Serve(repo, *a.serve_args.split())
    try:
        if a.wait_prepared:
            print(wait_prepared(s))
        # the first one pays for the serve's own first request (JIT); it is shown apart
        first = storm.storm(s.url, ["m0"], body)[0]
        times = []
        for i in range(1, a.models):
            st, t = storm.storm(s.url, ["m%d" % i], body)[0]
            assert st == 200, (st, s.lines[-5:])
            times.append(t)
        warm = [storm.storm(s.url, ["m1"], body)[0][1] for _ in range(20)]
        print("first request of the serve: %s %.3f s  (RSS %.0f MiB in %d processes at the end)"
              % (first + s.rss_mib()))
        print("from zero (a load into a running host, or a process), first answer: p50 %.1f ms, "
              "min %.1f, p90 %.1f, max %.1f (%d models)"
              % (1000 * statistics.median(times), 1000 * min(times),
                 1000 * serve.percentile(times, 0.9), 1000 * max(times), len(times)))
        print("same model once loaded: p50 %.1f ms" % (1000 * statistics.median(warm)))
    finally:
        s.close()


def wait_prepared(s, timeout=600):
    """Waits for serve's line saying the preparation ended; that line and its time after ready."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = [t for t, line in s.stamped if "Kairos ready" in line]
        done = [(t, line) for t, line in s.stamped if "prepared ahead of their first request" in line]
        if ready and done:
            return "preparation: %s (%.1f s after ready)" % (done[0][1].strip(), done[0][0] - ready[0])
        time.sleep(0.1)
    raise RuntimeError("serve did not finish preparing the models in %d s" % timeout)


if __name__ == "__main__":
    main()
