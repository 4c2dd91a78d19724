#!/usr/bin/python3
"""Cold load into a running host: a fresh `./kairos serve` with N light models at zero; one
request at a time, each to a model not loaded yet, timed from send to answer (the activator's
hold, the load into a warm host, the first inference). Prints p50 and the range.

    /usr/bin/python3 tools/bench/hosts/coldload.py [--models 30]
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve  # noqa: E402
import storm  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", type=int, default=30)
    p.add_argument("--serve-args", default="")
    a = p.parse_args()
    s = serve.Serve(serve.repository(a.models), *a.serve_args.split())
    try:
        # the first one pays for the serve's own first request (JIT); it is shown apart
        first = storm.storm(s.url, ["m0"])[0]
        times = []
        for i in range(1, a.models):
            st, t = storm.storm(s.url, ["m%d" % i])[0]
            assert st == 200, (st, s.lines[-5:])
            times.append(t)
        warm = [storm.storm(s.url, ["m1"])[0][1] for _ in range(20)]
        print("first request of the serve: %s %.3f s" % first)
        print("cold load into a running host, first answer: p50 %.1f ms, min %.1f, p90 %.1f, "
              "max %.1f (%d models)" % (1000 * statistics.median(times), 1000 * min(times),
                                        1000 * serve.percentile(times, 0.9), 1000 * max(times),
                                        len(times)))
        print("same model once loaded: p50 %.1f ms" % (1000 * statistics.median(warm)))
    finally:
        s.close()


if __name__ == "__main__":
    main()
