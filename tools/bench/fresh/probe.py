#!/usr/bin/python3
"""Fresh ResNet-18 replicas one by one, as coldstart.py starts them, for finding where the time goes.

    /usr/bin/python3 tools/bench/fresh/probe.py [--n 3] [--jvm="-Xlog:class+load:file=F:uptime"]
        [--env K=V] [--no-cds] [--show] [--threads]

Prints fork -> ready, fork -> first answer and the CPU used by then; --show adds the replica's
stderr lines stamped with the time since the fork, --threads the CPU of each thread still alive at
the first answer (names with their numbers folded). PROBE_JAVA names another launcher (a wrapper
that runs java under perf or strace).
"""
import argparse
import re
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "runtime"))
import bench  # noqa
import coldstart  # noqa
import http.client
import subprocess


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--jvm", default="")
    p.add_argument("--no-cds", action="store_true")
    p.add_argument("--env", action="append", default=[])
    p.add_argument("--n", type=int, default=1)
    p.add_argument("--show", action="store_true")
    p.add_argument("--threads", action="store_true")
    a = p.parse_args()
    model = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "..", "runtime", "make_resnet18.py")],
                           capture_output=True, text=True, check=True).stdout.strip()
    model_dir = os.path.dirname(os.path.dirname(model))
    os.makedirs(bench.WORK, exist_ok=True)
    path = os.path.join(bench.WORK, "resnet-b1.bin")
    hlen = bench.binary_body(path, "input", [1, 3, 224, 224], "output")
    body = open(path, "rb").read()
    jvm = list(bench.REPLICA_JVM)
    if not a.no_cds:
        jvm.append("-XX:SharedArchiveFile=" + coldstart.ARCHIVE)
    jvm += a.jvm.split()
    env = dict(os.environ, MALLOC_ARENA_MAX="2", MALLOC_TRIM_THRESHOLD_="1048576",
               MALLOC_MMAP_THRESHOLD_="16777216")
    for kv in a.env:
        k, v = kv.split("=", 1)
        env[k] = v
    for _ in range(a.n):
        cmd = [os.environ.get("PROBE_JAVA", "java"), *jvm, "-cp", bench.JAR, "dev.kairos.runtime.RuntimeMain", "--model-dir", model_dir,
               "--cores", "2", "--exit-with-parent"]
        lines = []
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env)

        def err():
            for line in proc.stderr:
                lines.append((time.monotonic() - t0, line.rstrip()))
        th = threading.Thread(target=err, daemon=True)
        th.start()
        port = None
        for line in proc.stdout:
            if line.startswith("KAIROS_RUNTIME_READY port="):
                port = int(line.split("=")[1].split()[0])
                break
        ready = time.monotonic() - t0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", "/v2/models/resnet18/infer", body=body,
                     headers={"Content-Type": "application/octet-stream",
                              "Inference-Header-Content-Length": str(hlen)})
        resp = conn.getresponse()
        resp.read()
        ans = time.monotonic() - t0
        cpu = bench.cpu_seconds(proc.pid)
        threads = {}
        tck = os.sysconf("SC_CLK_TCK")
        for tid in os.listdir("/proc/%d/task" % proc.pid):
            try:
                st = open("/proc/%d/task/%s/stat" % (proc.pid, tid)).read()
            except OSError:
                continue
            name = st[st.index("(") + 1:st.rindex(")")]
            f = st[st.rindex(")") + 2:].split()
            name = re.sub(r"[0-9]+$", "N", name)
            threads[name] = threads.get(name, 0) + (int(f[11]) + int(f[12])) / tck
        proc.stdin.close()
        proc.terminate()
        proc.wait(30)
        th.join(5)
        print("ready %.3f answer %.3f cpu %.2f status %d" % (ready, ans, cpu, resp.status))
        if a.threads:
            print("  " + ", ".join("%s %.2f" % kv for kv in sorted(threads.items(), key=lambda kv: -kv[1]) if kv[1] > 0))
        if a.show:
            for t, l in lines:
                print("%.3f %s" % (t, l[:200]))


if __name__ == "__main__":
    main()
