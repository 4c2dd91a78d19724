"""A real `kairos serve` for the replay tools: copies of the mlp example at zero, its ports, its
admin API (supervision with replica-seconds), and a few HTTP helpers. Loopback only."""
import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
MLP = os.path.join(ROOT, "examples", "models", "mlp")
BODY = open(os.path.join(MLP, "golden", "request.json"), "rb").read()


def write_models(folder, names, scaling):
    """Copies of the mlp example under `names`, each with `scaling` (a dict of knobs)."""
    for n in names:
        os.makedirs(os.path.join(folder, n, "1"), exist_ok=True)
        shutil.copy(os.path.join(MLP, "1", "model.onnx"), os.path.join(folder, n, "1"))
        with open(os.path.join(folder, n, "model.yaml"), "w") as f:
            f.write("name: %s\nengine: onnxruntime\n" % n)
            f.write("batching: {maxBatchSize: 32, maxQueueDelay: 2ms, maxQueueSize: 256}\n")
            f.write("scaling:\n")
            for k, v in scaling.items():
                f.write("  %s: %s\n" % (k, v))


class Serve:
    """`./kairos serve` on ephemeral ports with its admin API on; stop() ends it (by pid)."""

    def __init__(self, models, extra=()):
        self.work = tempfile.mkdtemp(prefix="kairos-replay-")
        self.log_path = os.path.join(self.work, "serve.log")
        key_file = os.path.join(self.work, "admin-key")
        env = dict(os.environ, KAIROS_SKIP_BUILD=os.environ.get("KAIROS_SKIP_BUILD", "1"))
        self.proc = subprocess.Popen(
            [os.path.join(ROOT, "kairos"), "serve", "--port", "0", "--admin-port", "0",
             "--admin-key-file", key_file, "--models", models, *extra],
            stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        deadline = time.time() + 240
        while time.time() < deadline:
            log = open(self.log_path).read()
            if "Kairos ready" in log:
                break
            if self.proc.poll() is not None:
                raise RuntimeError("kairos serve exited:\n" + log[-3000:])
            time.sleep(0.2)
        else:
            raise RuntimeError("kairos serve not ready in 240 s:\n" + open(self.log_path).read()[-3000:])
        log = open(self.log_path).read()
        self.url = re.search(r"gateway listening on (http://127\.0\.0\.1:\d+)", log).group(1)
        self.admin = "http://127.0.0.1:" + re.search(r"admin api listening on [\d.]+:(\d+)", log).group(1)
        self.key = open(key_file).read().strip()

    def port(self):
        return int(self.url.rsplit(":", 1)[1])

    def supervision(self):
        req = urllib.request.Request(self.admin + "/admin/supervision",
                                     headers={"Authorization": "Bearer " + self.key})
        with urllib.request.urlopen(req, timeout=30) as r:
            return {m["model"]: m for m in json.load(r)["replicas"]}

    def replica_pids(self):
        out = subprocess.run(["ps", "--ppid", str(self.proc.pid), "-o", "pid=,args="],
                             capture_output=True, text=True).stdout
        return [int(l.split()[0]) for l in out.splitlines() if "RuntimeMain" in l]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def infer(port, model, timeout=60):
    """One inference on a fresh connection: (HTTP status, seconds)."""
    t0 = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("POST", "/v2/models/%s/infer" % model, body=BODY,
                  headers={"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        return r.status, time.monotonic() - t0
    except OSError:
        return 0, time.monotonic() - t0
    finally:
        c.close()


def rss_mib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")
