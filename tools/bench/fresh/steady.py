#!/usr/bin/python3
"""What JVM options for a fast start cost a replica once it is warm: the mlp example under wrk.

    /usr/bin/python3 tools/bench/fresh/steady.py --rounds 3 NAME='-XX:Opt ...' ...

Each variant is the replica `kairos serve` starts (its JVM options and the build's archive) plus
its options; 'base' has none. Per round and variant: a fresh replica of the mlp example (batching
as in its model.yaml), warmed by wrk for --warmup s, then wrk for --seconds s with --clients
connections sending the 1-row golden JSON request. Reports requests/s and requests per
CPU-second of the replica (wrk not counted), median (min-max), interleaved.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "runtime"))
import bench  # noqa: E402
import coldstart  # noqa: E402


class Replica:
    def __init__(self, model_dir, jvm):
        cmd = ["java", *jvm, "-cp", bench.JAR, "dev.kairos.runtime.RuntimeMain", "--model-dir", model_dir,
               "--cores", "2", "--exit-with-parent"]
        env = dict(os.environ, MALLOC_ARENA_MAX="2", MALLOC_TRIM_THRESHOLD_="1048576",
                   MALLOC_MMAP_THRESHOLD_="16777216")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, env=env)
        for line in self.proc.stdout:
            if line.startswith("KAIROS_RUNTIME_READY port="):
                self.port = int(line.split("=")[1].split()[0])
                return
        raise RuntimeError("replica exited before it was ready")

    def close(self):
        self.proc.stdin.close()
        self.proc.terminate()
        self.proc.wait(30)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("variants", nargs="*")
    a = p.parse_args()
    model_dir = os.path.join(bench.ROOT, "examples", "models", "mlp")
    body = os.path.join(model_dir, "golden", "request.json")  # wrk's script reads the file
    base = bench.REPLICA_JVM + ["-XX:SharedArchiveFile=" + coldstart.ARCHIVE]
    variants = {"base": base}
    for v in a.variants:
        name, opts = v.split("=", 1)
        variants[name] = base + opts.split()
    results = {k: [] for k in variants}
    loads = [bench.load_average()]
    for i in range(a.rounds):
        for name, jvm in variants.items():
            rep = Replica(model_dir, jvm)
            try:
                url = "http://127.0.0.1:%d/v2/models/mlp/infer" % rep.port
                bench.wrk(url, body, None, a.clients, a.warmup)
                c0 = bench.cpu_seconds(rep.proc.pid)
                rps, p50, p99 = bench.wrk(url, body, None, a.clients, a.seconds)
                cpu = bench.cpu_seconds(rep.proc.pid) - c0
            finally:
                rep.close()
            results[name].append((rps, rps * a.seconds / cpu, p50))
            bench.log("round %d %s: %.0f req/s, %.0f req per CPU-s, p50 %.2f ms" % (i + 1, name, *results[name][-1]))
        loads.append(bench.load_average())
    print("| variant | requests/s | requests per CPU-second | p50 ms |")
    print("|---|---|---|---|")
    for name, rs in results.items():
        print("| %s | %s | %s | %s |" % (name, bench.span([r[0] for r in rs], "%.0f"),
                                        bench.span([r[1] for r in rs], "%.0f"),
                                        bench.span([r[2] for r in rs], "%.2f")))
    print("\n%d rounds, interleaved, %d s of warm-up and %d s measured each, %d connections. Load average"
          " (1 min) at the start and after each round: %s." % (a.rounds, a.warmup, a.seconds, a.clients,
                                                               " ".join(loads)))


if __name__ == "__main__":
    main()
