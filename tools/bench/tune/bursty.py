#!/usr/bin/env python3
"""A bursty arrival trace for one model, as `kairos simulate` and `kairos tune` read it (timestamp,model).

Poisson arrivals at a base rate, with a burst at a much higher rate for a few seconds every period:
the pattern that dynamic batching absorbs and that scaling alone must pay for in standing replicas
(a burst shorter than a few cold starts is over before new replicas serve).

    tools/bench/tune/bursty.py OUT.csv [--model cnn] [--minutes 20] [--base 1500] [--burst 15000]
                               [--burst-seconds 3] [--period 60] [--seed 1]
"""
import argparse
import random


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--model", default="cnn")
    p.add_argument("--minutes", type=float, default=20)
    p.add_argument("--base", type=float, default=1500, help="requests/s between bursts")
    p.add_argument("--burst", type=float, default=15000, help="requests/s during a burst")
    p.add_argument("--burst-seconds", type=float, default=3)
    p.add_argument("--period", type=float, default=60, help="seconds from one burst to the next")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    end = a.minutes * 60
    # the first burst comes half a period in, after the replicas have settled on the base rate
    offset = a.period / 2
    t = 0.0
    n = 0
    with open(a.out, "w") as f:
        f.write("timestamp,model\n")
        while True:
            phase = (t - offset) % a.period
            rate = a.burst if t >= offset and phase < a.burst_seconds else a.base
            t += rng.expovariate(rate)
            if t >= end:
                break
            f.write(f"{t:.6f},{a.model}\n")
            n += 1
    print(f"{n} requests over {end:.0f} s in {a.out}")


if __name__ == "__main__":
    main()
