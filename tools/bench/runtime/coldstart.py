#!/usr/bin/python3
"""A fresh runtime process, from fork to its first ResNet-18 answer.

    /usr/bin/python3 tools/bench/runtime/coldstart.py [--rounds 7] [--before DIR]

Needs the built CLI (./kairos builds it, or mvn -B -q -DskipTests -pl cli -am package), its
class-data-sharing archive (cli/target/kairos.jsa, made by the build) and python3-torch
(the model is generated on demand, as by bench.py). Each round starts one replica per variant,
interleaved, exactly as `kairos serve` starts one (its default --replica-jvm-options and
environment), and times from the fork to: the ready line, and the answer to one batch-1
binary-extension request sent as soon as the ready line arrives. Variants:

  cds     the replica `kairos serve` starts: its JVM options plus the build's CDS archive
  jit-scaled  the same with the JIT option JIT (below), which the defaults leave out
  no-cds  the same without the archive (the JDK's own archive only)
  no-graphs  the cds replica with its optimised-graph cache turned off (KAIROS_ONNX_GRAPH_CACHE=off):
          ONNX Runtime optimises the model at every start. The others keep the graph beside the
          model (tools/bench/models/resnet18/1/.onnxruntime-graphs), made by the page-cache start
          before the rounds, so they show a replica of a model that was loaded on this machine before
  before  with --before DIR: a replica from another build's cli/target (e.g. a copy of main's), as
          that build starts it (its archive where it has one)

Next to wall-clock times it reports the CPU time (user + system, all threads) the replica had used
when its first answer arrived, which moves less than wall-clock time on a busy machine.
Prints a Markdown table: median (min-max) per variant, and the load average.
"""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, HERE)
import bench  # noqa: E402  (the replica options and the request body)

ARCHIVE = os.path.join(ROOT, "cli", "target", "kairos.jsa")
# A JIT option measured for fresh starts (issue 21, item 5) and left out of the replicas' defaults: it
# cuts the CPU of a start, and costs a warm replica's throughput (docs/BENCHMARKS.md, "A fresh
# replica's start reworked"). The "jit-scaled" variant adds it.
JIT = "-XX:CompileThresholdScaling=4"
BEFORE_JVM = bench.REPLICA_JVM


def folder_state(model_dir):
    """What a start finds in the model's folder: the first-load profile and ONNX Runtime's kept graph."""
    graphs = os.path.join(model_dir, "1", ".onnxruntime-graphs")
    kept = os.path.isdir(graphs) and any(f.endswith(".properties") for f in os.listdir(graphs))
    return os.path.exists(os.path.join(model_dir, "profile.json")), kept


def one_start(model_dir, body, hlen, jvm, jar=bench.JAR, extra_env=None, settle=False):
    """One replica's start and first answer. With settle, it is left running until what a replica
    writes after its first answer is in the model's folder (its first-load profile, its kept graph),
    as a replica that serves for a while leaves them: the timed starts then find them, as any start
    after a model's first does."""
    cmd = ["java", *jvm, "-cp", jar, "dev.kairos.runtime.RuntimeMain", "--model-dir", model_dir,
           "--cores", "2", "--exit-with-parent"]
    env = dict(os.environ)
    env.setdefault("MALLOC_ARENA_MAX", "2")
    env.setdefault("MALLOC_TRIM_THRESHOLD_", "1048576")
    env.setdefault("MALLOC_MMAP_THRESHOLD_", "16777216")  # as cli/RuntimeProcess
    env.update(extra_env or {})
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env=env)
    try:
        port = None
        for line in proc.stdout:
            if line.startswith("KAIROS_RUNTIME_READY port="):
                port = int(line.split("=")[1].split()[0])
                break
            if line.startswith("KAIROS_RUNTIME_FAILED"):
                raise RuntimeError(line)
        if port is None:
            raise RuntimeError("replica exited before it was ready")
        ready = time.monotonic() - t0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", "/v2/models/resnet18/infer", body=body,
                     headers={"Content-Type": "application/octet-stream",
                              "Inference-Header-Content-Length": str(hlen)})
        resp = conn.getresponse()
        resp.read()
        answered = time.monotonic() - t0
        cpu = bench.cpu_seconds(proc.pid)
        if resp.status != 200:
            raise RuntimeError("first request answered %d" % resp.status)
        graphs_off = (extra_env or {}).get("KAIROS_ONNX_GRAPH_CACHE") == "off"
        deadline = time.monotonic() + 120
        while settle and time.monotonic() < deadline:
            profiled, kept = folder_state(model_dir)
            if profiled and (kept or graphs_off):
                break
            time.sleep(0.2)
        return ready, answered, cpu
    finally:
        proc.stdin.close()
        proc.terminate()
        proc.wait(30)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--before", help="root of another checkout whose cli/target to compare with")
    a = p.parse_args()
    if not os.path.exists(bench.JAR):
        sys.exit("build first: mvn -B -q -DskipTests -pl cli -am package")
    if not os.path.exists(ARCHIVE):
        sys.exit("no CDS archive at %s: the cli build makes it" % ARCHIVE)
    os.makedirs(bench.WORK, exist_ok=True)
    model = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "make_resnet18.py")],
                           capture_output=True, text=True, check=True).stdout.strip()
    model_dir = os.path.dirname(os.path.dirname(model))
    path = os.path.join(bench.WORK, "resnet-b1.bin")
    hlen = bench.binary_body(path, "input", [1, 3, 224, 224], "output")
    with open(path, "rb") as f:
        body = f.read()
    variants = {
        "cds": (bench.REPLICA_JVM + ["-XX:SharedArchiveFile=" + ARCHIVE], bench.JAR, None),
        "jit-scaled": (bench.REPLICA_JVM + [JIT, "-XX:SharedArchiveFile=" + ARCHIVE], bench.JAR, None),
        "no-cds": (bench.REPLICA_JVM, bench.JAR, None),
        "no-graphs": (bench.REPLICA_JVM + ["-XX:SharedArchiveFile=" + ARCHIVE], bench.JAR,
                      {"KAIROS_ONNX_GRAPH_CACHE": "off"}),
    }
    if a.before:
        variants["before"] = (BEFORE_JVM, os.path.join(a.before, "cli", "target", "kairos-cli.jar"), None)
        before_archive = os.path.join(a.before, "cli", "target", "kairos.jsa")
        if os.path.exists(before_archive):
            # that build as kairos serve starts it: with its own archive
            variants["before"] = (BEFORE_JVM + ["-XX:SharedArchiveFile=" + before_archive],
                                  variants["before"][1], None)
    results = {k: [] for k in variants}
    loads = [bench.load_average()]
    for jvm, jar, env in variants.values():
        # page cache (jars, model, natives), and the model's profile and kept graph written
        one_start(model_dir, body, hlen, jvm, jar, env, settle=True)
    profiled, kept = folder_state(model_dir)
    bench.log("model folder before the rounds: profile.json %s, kept graph %s"
              % ("present" if profiled else "MISSING", "present" if kept else "MISSING"))
    for i in range(a.rounds):
        for name, (jvm, jar, env) in variants.items():
            results[name].append(one_start(model_dir, body, hlen, jvm, jar, env))
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
    print("The model's folder held its first-load profile (%s) and its kept graph (%s) for every"
          " timed start." % ("yes" if profiled else "NO", "yes" if kept else "NO"))


if __name__ == "__main__":
    main()
