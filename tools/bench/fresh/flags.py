#!/usr/bin/python3
"""Fresh ResNet-18 replicas with extra JVM options per variant, interleaved (coldstart.py's start).

    /usr/bin/python3 tools/bench/fresh/flags.py --rounds 5 NAME='-XX:Opt ...' NAME2='...'

Every variant runs the replica `kairos serve` starts (its JVM options and the build's archive)
plus the variant's options; 'base', with none, is always included.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "runtime"))
import bench  # noqa: E402
import coldstart  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--no-base", action="store_true")
    p.add_argument("variants", nargs="*")
    a = p.parse_args()
    model = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "..", "runtime", "make_resnet18.py")],
                           capture_output=True, text=True, check=True).stdout.strip()
    model_dir = os.path.dirname(os.path.dirname(model))
    os.makedirs(bench.WORK, exist_ok=True)
    path = os.path.join(bench.WORK, "resnet-b1.bin")
    hlen = bench.binary_body(path, "input", [1, 3, 224, 224], "output")
    body = open(path, "rb").read()
    base = bench.REPLICA_JVM + ["-XX:SharedArchiveFile=" + coldstart.ARCHIVE]
    variants = {} if a.no_base else {"base": base}
    for v in a.variants:
        name, opts = v.split("=", 1)
        variants[name] = base + opts.split()
    results = {k: [] for k in variants}
    loads = [bench.load_average()]
    for jvm in variants.values():
        coldstart.one_start(model_dir, body, hlen, jvm)
    for i in range(a.rounds):
        for name, jvm in variants.items():
            results[name].append(coldstart.one_start(model_dir, body, hlen, jvm))
            bench.log("round %d %s: ready %.3f s, first answer %.3f s, cpu %.2f s"
                      % (i + 1, name, *results[name][-1]))
        loads.append(bench.load_average())
    print("| variant | fork → ready, s | fork → first answer, s | CPU used by the first answer, s |")
    print("|---|---|---|---|")
    for name, rs in results.items():
        print("| %s | %s | %s | %s |" % (name, bench.span([r[0] for r in rs], "%.3f"),
                                        bench.span([r[1] for r in rs], "%.3f"),
                                        bench.span([r[2] for r in rs], "%.2f")))
    print("\n%d rounds, interleaved. Load average (1 min) at the start and after each round: %s."
          % (a.rounds, " ".join(loads)))


if __name__ == "__main__":
    main()
