#!/usr/bin/python3
"""Does a runtime host give memory back on unload? Starts one host (RuntimeMain --shared-host),
then loads a model, answers a few requests and unloads it, N times, printing the host's resident
set size (VmRSS) after the first cycle and every tenth, and the load times the host reported.

    /usr/bin/python3 tools/bench/runtime/host_cycles.py [--model cnn] [--cycles 100]
        [--classpath CP]

--model names an example under examples/models (default cnn) or a model folder. ResNet-18 is
used when given as a folder (tools/bench/runtime/make_resnet18.py writes one where torchvision is
installed). The classpath defaults to the built CLI (mvn -B -q -DskipTests -pl cli -am package);
the host gets the environment cli/RuntimeProcess gives replicas (MALLOC_ARENA_MAX=2,
MALLOC_TRIM_THRESHOLD_=1 MiB, MALLOC_MMAP_THRESHOLD_=16 MiB).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
LIB = os.path.join(ROOT, "cli", "target", "lib")
JAR = os.path.join(ROOT, "cli", "target", "kairos-cli.jar")
JVM = ["-XX:+UseSerialGC", "-Xms64m", "-Xmx1g", "-XX:+ExitOnOutOfMemoryError"]


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def jvm_committed_mib(pid):
    """What the JVM itself has committed (NMT total: heap, code, metaspace, threads, its own
    mallocs), to tell the JVM's growth from the engines' native memory. The heap is pre-touched,
    so its committed pages are resident from the start."""
    out = subprocess.run(["jcmd", str(pid), "VM.native_memory", "summary"], capture_output=True,
                         text=True).stdout
    m = re.search(r"Total: reserved=\d+KB, committed=(\d+)KB", out)
    return int(m.group(1)) / 1024 if m else float("nan")


def post(url, body):
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="cnn")
    p.add_argument("--cycles", type=int, default=100)
    p.add_argument("--requests", type=int, default=5, help="requests per cycle")
    p.add_argument("--classpath", default=JAR + ":" + LIB + "/*")
    a = p.parse_args()
    model_dir = a.model if os.path.isdir(a.model) else os.path.join(ROOT, "examples", "models", a.model)
    model_dir = os.path.abspath(model_dir)
    name = os.path.basename(model_dir)
    golden = os.path.join(model_dir, "golden", "request.json")
    if not os.path.exists(golden):
        sys.exit("%s has no golden/request.json to send" % model_dir)
    with open(golden, "rb") as f:
        request = f.read()
    env = dict(os.environ)
    env.setdefault("MALLOC_ARENA_MAX", "2")
    env.setdefault("MALLOC_TRIM_THRESHOLD_", "1048576")
    env.setdefault("MALLOC_MMAP_THRESHOLD_", "16777216")
    cmd = ["java", *JVM, "-XX:NativeMemoryTracking=summary", "-XX:+AlwaysPreTouch", "-cp", a.classpath, "dev.kairos.runtime.RuntimeMain", "--shared-host",
           "--memory-budget", "2Gi", "--idle-unload-after", "0", "--cores", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True, env=env)
    port = None
    for line in proc.stdout:
        if line.startswith("KAIROS_RUNTIME_READY port="):
            port = int(line.split("=")[1].split()[0])
            break
        if line.startswith("KAIROS_RUNTIME_FAILED"):
            sys.exit(line)
    if port is None:
        sys.exit("host exited before it was ready")
    base = "http://127.0.0.1:%d" % port
    load_body = json.dumps({"parameters": {"model_dir": model_dir}}).encode()
    rows = []
    load_ms = []
    try:
        base_rss = rss_mib(proc.pid)
        for c in range(1, a.cycles + 1):
            status, body = post(base + "/v2/repository/models/%s/load" % name, load_body)
            if status != 200:
                sys.exit("load %d answered %d: %s" % (c, status, body))
            load_ms.append(json.loads(body)["load_ms"])
            for _ in range(a.requests):
                status, body = post(base + "/v2/models/%s/infer" % name, request)
                if status != 200:
                    sys.exit("infer answered %d: %s" % (status, body))
            loaded = rss_mib(proc.pid)
            status, body = post(base + "/v2/repository/models/%s/unload" % name, b"")
            if status != 200:
                sys.exit("unload %d answered %d: %s" % (c, status, body))
            if c == 1 or c % 10 == 0:
                rows.append((c, loaded, rss_mib(proc.pid), jvm_committed_mib(proc.pid)))
        print("model %s, %d cycles of load, %d requests, unload; host RSS before any load %.0f MiB"
              % (name, a.cycles, a.requests, base_rss))
        print("| cycle | VmRSS loaded, MiB | VmRSS after unload, MiB | JVM committed (NMT), MiB |")
        print("|---|---|---|---|")
        for c, loaded, after, heap in rows:
            print("| %d | %.0f | %.0f | %.0f |" % (c, loaded, after, heap))
        first, last = rows[0][2], rows[-1][2]
        print("after cycle %d vs after cycle 1: %+.1f %% (RSS less the JVM's own: %+.1f MiB)"
              % (rows[-1][0], 100.0 * (last - first) / first,
                 (last - rows[-1][3]) - (first - rows[0][3])))
        print("load time reported by the host: first %.1f ms, median of the rest %.1f ms"
              % (load_ms[0], statistics.median(load_ms[1:]) if len(load_ms) > 1 else load_ms[0]))
        with open("/proc/loadavg") as f:
            print("load average at the end: %s" % f.read().split()[0])
    finally:
        proc.terminate()
        proc.wait(30)


if __name__ == "__main__":
    main()
