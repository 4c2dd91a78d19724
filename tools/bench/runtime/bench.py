#!/usr/bin/python3
"""The model runtime's efficiency benchmark: served vs raw engine, batching on vs off.

    /usr/bin/python3 tools/bench/runtime/bench.py [--runs 3] [--seconds 20] [--resnet-batches 1,8,32]

Needs the built CLI (mvn -B -q -DskipTests -pl cli -am package), Debian wrk and python3-torch.
Each run measures the pair side by side, one right after the other:
  1. ResNet-18 (random init, generated on demand into tools/bench/models): the raw ONNX Runtime
     loop (tools/bench/runtime/RawOrtLoop.java, the engine's session settings) vs a runtime replica
     (RuntimeMain, 1 worker x 2 engine threads) driven by wrk at saturation with binary-extension
     requests of the same batch size.
  2. The mlp example with 64 concurrent wrk clients sending 1-row JSON requests: a replica with
     batching on (maxBatchSize 32, maxQueueDelay 2ms) vs one with batching off (maxBatchSize 1).
Prints a Markdown table of medians, ratios per run, and the load average. Next to throughput it
reports rows per CPU-second of the measured process (the replica; the raw loop's own process),
which stays meaningful when other work on the machine takes CPU away at random.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
WORK = os.path.join(ROOT, "tools", "bench", "work", "runtime")
LIB = os.path.join(ROOT, "cli", "target", "lib")
JAR = os.path.join(ROOT, "cli", "target", "kairos-cli.jar")
# The JVM options `kairos serve` gives its replicas (the default of its --replica-jvm-options), so
# the replica measured is the one that ships.
REPLICA_JVM = ["-XX:+UseSerialGC", "-Xms32m", "-Xmx512m", "-XX:+ExitOnOutOfMemoryError"]
# The allocator settings cli/RuntimeProcess gives replicas (the operator's own win there too). Until
# session 7 the bench left out MALLOC_MMAP_THRESHOLD_, so its replicas mapped every engine
# allocation over 128 KiB afresh, as no shipped replica does.
REPLICA_ENV = {"MALLOC_ARENA_MAX": "2", "MALLOC_TRIM_THRESHOLD_": "1048576",
               "MALLOC_MMAP_THRESHOLD_": "16777216"}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def load_average():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


class Replica:
    event_loops = 0

    def __init__(self, model_dir, cores, workers):
        loops = ["--event-loops", str(Replica.event_loops)] if Replica.event_loops else []
        cmd = ["java", *REPLICA_JVM, "-cp", JAR + ":" + LIB + "/*", "dev.kairos.runtime.RuntimeMain",
               "--model-dir", model_dir, "--cores", str(cores), "--workers", str(workers), *loops,
               "--max-body-bytes", str(256 << 20)]
        env = dict(os.environ)
        for k, v in REPLICA_ENV.items():
            env.setdefault(k, v)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True, env=env)
        for line in self.proc.stdout:
            if line.startswith("KAIROS_RUNTIME_READY port="):
                self.port = int(line.split("=")[1].split()[0])
                return
            if line.startswith("KAIROS_RUNTIME_FAILED"):
                raise RuntimeError(line)
        raise RuntimeError("replica exited before it was ready")

    def close(self):
        self.proc.terminate()
        self.proc.wait(30)


def wrk(url, body, hlen, clients, seconds):
    env = dict(os.environ, BODY=body, HLEN=str(hlen) if hlen else "")
    out = subprocess.run(
        ["wrk", "-t1", "-c" + str(clients), "-d" + str(seconds) + "s", "--latency", "--timeout", "30s",
         "-s", os.path.join(HERE, "post.lua"), url],
        env=env, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        raise RuntimeError("wrk saw %s non-2xx answers:\n%s" % (bad.group(1), out))
    return rps, ms(lat["50"]), ms(lat["99"])


def ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)", text)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v if unit == "ms" else v * 1000 if unit == "s" else v * 60000


class RawLoop:
    """A RawOrtLoop process kept up between slices."""

    def __init__(self, model, batch, threads, spin=False):
        self.proc = subprocess.Popen(
            ["java", "-cp", LIB + "/*", os.path.join(HERE, "RawOrtLoop.java"), model, str(batch), "0",
             str(threads), "1" if spin else "0"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "ready"
        self.batch = batch

    def run(self, seconds):
        """Rows per second counted as wrk counts a replica's (the calls that ended within the
        slice), p50 and p99 ms, and the CPU time that matches those rows (the slice's CPU over all
        its calls, the last one included, scaled to the rows counted): rows * seconds / CPU is the
        rows per CPU-second of all the calls. (Until session 7 the rate was all calls over the time
        they took, against which a replica measured by wrk lost the answer in flight at the end of
        each window, about half a request: 1-2 % at batch 32.) The figures as counted before are
        kept in self.before: (rows per second, rows per CPU-second)."""
        self.proc.stdin.write("run %d\n" % seconds)
        self.proc.stdin.flush()
        out = self.proc.stdout.readline()
        m = re.search(r"rows_per_s=([\d.]+) p50_ms=([\d.]+) p99_ms=([\d.]+) calls=(\d+) cpu_s=([\d.]+)"
                      r" window_rows_per_s=([\d.]+)", out)
        rate, cpu, window_rate = float(m.group(1)), float(m.group(5)), float(m.group(6))
        all_rows = int(m.group(4)) * self.batch
        self.before = (rate, rate * seconds / cpu)
        return window_rate, float(m.group(2)), float(m.group(3)), cpu * window_rate * seconds / all_rows

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(30)


def cpu_seconds(pid):
    """User + system CPU time of a process, all threads."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def served(rep, url, body, hlen, clients, seconds, rows_per_request):
    """Rows per second as wrk counts them, and the CPU time that matches those rows. The CPU is
    counted until the replica is idle again, the rows from the replica's own count
    (kairos_runtime_batch_size_sum) over the same span, so that the work on the request wrk
    abandons at the end of its window, which it does not count, is counted on neither side. (Until
    session 7 the CPU up to wrk's end was divided by wrk's rows: the request in flight at the end
    was CPU without rows, about half a request per window, 1-2 % at batch 32.)"""
    r0 = rows_computed(rep)
    c0 = cpu_seconds(rep.proc.pid)
    rps, p50, p99 = wrk(url, body, hlen, clients, seconds)
    drain(rep.proc.pid)
    cpu = cpu_seconds(rep.proc.pid) - c0
    rows = rps * rows_per_request * seconds
    computed = rows_computed(rep) - r0
    if r0 >= 0 and computed > 0:
        cpu = cpu * rows / computed
    return rps * rows_per_request, p50, p99, cpu


def rows_computed(rep):
    """Rows the replica's engine has run (its kairos_runtime_batch_size_sum), or -1."""
    import urllib.request
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % rep.port, timeout=10) as r:
            text = r.read().decode()
    except OSError:
        return -1
    m = re.findall(r"^kairos_runtime_batch_size_sum\{[^}]*\} (\S+)", text, re.M)
    return sum(float(x) for x in m) if m else -1


def drain(pid, limit=60):
    """Waits until the replica is idle: requests wrk abandoned at the end of its window (a batch-32
    ResNet request runs for seconds) would otherwise take CPU from the next measurement."""
    deadline = time.time() + limit
    last = cpu_seconds(pid)
    while time.time() < deadline:
        time.sleep(0.25)
        now = cpu_seconds(pid)
        if now - last < 0.025:
            return
        last = now


def binary_body(path, name, shape, output):
    n = 1
    for d in shape:
        n *= d
    header = json.dumps({"inputs": [{"name": name, "shape": shape, "datatype": "FP32",
                                     "parameters": {"binary_data_size": n * 4}}],
                         "outputs": [{"name": output, "parameters": {"binary_data": True}}]}).encode()
    import random
    rnd = random.Random(1)
    with open(path, "wb") as f:
        f.write(header)
        f.write(struct.pack("<%df" % n, *[rnd.random() for _ in range(n)]))
    return len(header)


def json_body(path, name, shape):
    import random
    rnd = random.Random(1)
    n = 1
    for d in shape:
        n *= d
    with open(path, "w") as f:
        json.dump({"inputs": [{"name": name, "shape": shape, "datatype": "FP32",
                               "data": [round(rnd.random(), 6) for _ in range(n)]}]}, f)


def mlp_dir(name, max_batch, delay):
    d = os.path.join(WORK, name)
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "examples", "models", "mlp", "1"), os.path.join(d, "1"))
    with open(os.path.join(d, "model.yaml"), "w") as f:
        f.write("name: mlp\nengine: onnxruntime\n"
                "batching: {maxBatchSize: %d, maxQueueDelay: %s, maxQueueSize: 1024}\n" % (max_batch, delay))
    return d


def spin_dir(model_dir):
    """The model with spinWait: true: its model.yaml plus the option, the version folder linked."""
    d = os.path.join(WORK, "resnet18-spin")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    os.symlink(os.path.join(model_dir, "1"), os.path.join(d, "1"))
    with open(os.path.join(model_dir, "model.yaml")) as f:
        yaml = f.read()
    with open(os.path.join(d, "model.yaml"), "w") as f:
        f.write(yaml + "options: {spinWait: true}\n")
    return d


def fmt(v):
    return "%.1f" % v if v < 1000 else "%.0f" % v


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seconds", type=int, default=20)
    p.add_argument("--resnet-batches", default="1",
                   help="comma-separated batch sizes, e.g. 1,8,32 (one replica serves them all)")
    p.add_argument("--resnet-clients", type=int, default=3)
    p.add_argument("--mlp-clients", type=int, default=64)
    p.add_argument("--cores", type=int, default=os.cpu_count())
    p.add_argument("--warmup", type=int, default=30,
                   help="seconds of load before measuring, so the replica's JIT has settled")
    p.add_argument("--workers", type=int, default=1, help="batches on the engine at once")
    p.add_argument("--skip-resnet", action="store_true")
    p.add_argument("--skip-mlp", action="store_true")
    p.add_argument("--event-loops", type=int, default=0, help="replica event loops (0: its default)")
    p.add_argument("--spin-wait", action="store_true",
                   help="ONNX Runtime's idle threads spin, in both the replica (model option spinWait)"
                        " and the raw loop")
    a = p.parse_args()
    a.resnet_batches = [int(x) for x in a.resnet_batches.split(",")]
    Replica.event_loops = a.event_loops
    if not os.path.exists(JAR):
        sys.exit("build first: mvn -B -q -DskipTests -pl cli -am package")
    os.makedirs(WORK, exist_ok=True)
    rows = []
    loads = [load_average()]
    if not a.skip_resnet:
        model = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "make_resnet18.py")],
                               capture_output=True, text=True, check=True).stdout.strip()
        model_dir = os.path.dirname(os.path.dirname(model))
        if a.spin_wait:
            model_dir = spin_dir(model_dir)
        rep = Replica(model_dir, a.cores, a.workers)
        url = "http://127.0.0.1:%d/v2/models/resnet18/infer" % rep.port
        try:
            for k, b in enumerate(a.resnet_batches):
                body = os.path.join(WORK, "resnet-b%d.bin" % b)
                hlen = binary_body(body, "input", [b, 3, 224, 224], "output")
                loop = RawLoop(model, b, a.cores, a.spin_wait)
                # enough requests in flight to keep the engine busy; more only queue (a batch of 32
                # takes about a second alone) and leave work behind at the end of each window
                clients = a.resnet_clients if b == 1 else 2
                try:
                    # JIT warm-up: the whole warm-up before the first batch size, a third before the others
                    warm = a.warmup if k == 0 else max(1, a.warmup // 3)
                    wrk(url, body, hlen, clients, warm)
                    drain(rep.proc.pid)
                    loop.run(min(warm, 5))
                    raw, srv = [], []
                    for i in range(a.runs):
                        raw.append(loop.run(a.seconds))
                        srv.append(served(rep, url, body, hlen, clients, a.seconds, b))
                        log("resnet batch %d run %d: raw %.2f rows/s (%.1f per cpu-s), served %.2f rows/s"
                            " (%.1f per cpu-s), ratio %.3f, per cpu-s %.3f (load %s)"
                            % (b, i + 1, raw[-1][0], raw[-1][0] * a.seconds / raw[-1][3], srv[-1][0],
                               srv[-1][0] * a.seconds / srv[-1][3], srv[-1][0] / raw[-1][0],
                               (srv[-1][0] / srv[-1][3]) / (raw[-1][0] / raw[-1][3]), load_average()))
                        loads.append(load_average())
                finally:
                    loop.close()
                rows.append(("ResNet-18 raw ORT loop, batch %d" % b, raw, None, None))
                rows.append(("ResNet-18 served (HTTP, binary ext.), batch %d, %d clients" % (b, clients),
                             srv, [x[0] / y[0] for x, y in zip(srv, raw)],
                             [(x[0] / x[3]) / (y[0] / y[3]) for x, y in zip(srv, raw)]))
        finally:
            rep.close()
    if not a.skip_mlp:
        body = os.path.join(WORK, "mlp-1row.json")
        json_body(body, "features", [1, 16])
        on = Replica(mlp_dir("mlp-batch-on", 32, "2ms"), a.cores, a.workers)
        off = Replica(mlp_dir("mlp-batch-off", 1, "0ms"), a.cores, a.workers)
        url = "http://127.0.0.1:%d/v2/models/mlp/infer"
        try:
            wrk(url % on.port, body, None, a.mlp_clients, a.warmup)
            wrk(url % off.port, body, None, a.mlp_clients, a.warmup)
            r_on, r_off = [], []
            for i in range(a.runs):
                r_off.append(served(off, url % off.port, body, None, a.mlp_clients, a.seconds, 1))
                r_on.append(served(on, url % on.port, body, None, a.mlp_clients, a.seconds, 1))
                log("mlp run %d: off %.0f rps, on %.0f rps, ratio %.2f (load %s)"
                    % (i + 1, r_off[-1][0], r_on[-1][0], r_on[-1][0] / r_off[-1][0], load_average()))
                loads.append(load_average())
        finally:
            on.close()
            off.close()
        rows.append(("MLP, %d clients, batching off" % a.mlp_clients, r_off, None, None))
        rows.append(("MLP, %d clients, batching on (max 32, 2ms)" % a.mlp_clients, r_on,
                     [x[0] / y[0] for x, y in zip(r_on, r_off)],
                     [(x[0] / x[3]) / (y[0] / y[3]) for x, y in zip(r_on, r_off)]))
    print_section(a, rows, loads)


def span(values, f=None):
    if f is None:
        f = "%.0f" if statistics.median(values) >= 100 else "%.1f"
    return (f + " (" + f + "–" + f + ")") % (statistics.median(values), min(values), max(values))


def print_section(a, rows, loads):
    cmd = "/usr/bin/python3 tools/bench/runtime/bench.py --runs %d --seconds %d --warmup %d --resnet-batches %s%s%s" % (
        a.runs, a.seconds, a.warmup, ",".join(map(str, a.resnet_batches)),
        " --spin-wait" if a.spin_wait else "", " --skip-mlp" if a.skip_mlp else "")
    print("## Model runtime\n")
    print("`tools/bench/run-all runtime` (alone: `%s`). Each run measures a pair back to back:" % cmd)
    print("ResNet-18 (torchvision, random init, ONNX, generated on demand) as a raw ONNX Runtime loop in")
    print("Java with the engine's session settings (`tools/bench/runtime/RawOrtLoop.java`) vs served by")
    print("one runtime replica (`RuntimeMain --cores %d --workers %d`, with the JVM options `kairos serve`"
          % (a.cores, a.workers))
    print("gives its replicas) over HTTP with binary-extension")
    print("requests of the same batch size from `wrk` at saturation (%d connections at batch 1, 2 at"
          % a.resnet_clients)
    print("larger batches; after each window the replica is left to finish what `wrk` abandoned); and the `mlp`")
    print("example under %d concurrent `wrk` clients sending 1-row JSON requests, batching on" % a.mlp_clients)
    print("(maxBatchSize 32, maxQueueDelay 2ms) vs off (maxBatchSize 1), same replica settings. The")
    print("replicas are warmed for %d s first (JIT; %d s before each further ResNet batch size). Median"
          % (a.warmup, max(1, a.warmup // 3)))
    print("(min–max) over %d runs of %d s.\n" % (a.runs, a.seconds))
    print("*Rows per CPU-second* divides the rows done by the CPU time the measured process used (the")
    print("replica, or the raw loop's JVM); `wrk` is not counted. On this shared 2-core machine other work")
    print("takes CPU away at random, which moves wall-clock throughput by ±50 % between back-to-back runs;")
    print("CPU-normalised figures stay within about ±10 %, so both are shown.\n")
    print("| measurement | rows/s | rows per CPU-second | p50 ms | p99 ms |")
    print("|---|---|---|---|---|")
    for name, res, _, _ in rows:
        print("| %s | %s | %s | %.1f | %.1f |" % (
            name, span([r[0] for r in res]), span([r[0] * a.seconds / r[3] for r in res]),
            statistics.median(r[1] for r in res), statistics.median(r[2] for r in res)))
    print("\n| ratio | target | throughput | per CPU-second | met |")
    print("|---|---|---|---|---|")
    for name, res, ratios, cpu_ratios in rows:
        if not ratios:
            continue
        target = 0.95 if name.startswith("ResNet") else 3.0
        label = ("served / raw ORT, ResNet-18 batch %s" % name.split("batch ")[1].split(",")[0]
                 if name.startswith("ResNet")
                 else "batching on / off, MLP %d clients" % a.mlp_clients)
        tp, cpu = statistics.median(ratios), statistics.median(cpu_ratios)
        met = "yes" if tp >= target and cpu >= target else (
            "throughput only" if tp >= target else ("per CPU-second only" if cpu >= target else "**no**"))
        print("| %s | ≥ %.2f× | %s | %s | %s |" % (
            label, target, span(ratios, "%.2f"), span(cpu_ratios, "%.2f"), met))
    print("\nLoad average (1 min) at the start and after each run: %s.\n" % " ".join(loads))


if __name__ == "__main__":
    main()
