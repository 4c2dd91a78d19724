"""A fresh `./kairos serve` for the hosts benchmarks: a repository of N copies of a light example
model at zero replicas, the serve started on free ports, its URL, and the resident memory of the
serve and every process under it."""
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
MLP = os.path.join(ROOT, "examples", "models", "mlp")


def repository(count, initial=0, prefix="m", source=MLP):
    """count copies of source as prefix0..prefixN-1, each starting at `initial` replicas."""
    repo = tempfile.mkdtemp(prefix="kairos-hosts-")
    artifact = os.path.join(source, "1", "model.onnx")
    for i in range(count):
        d = os.path.join(repo, "%s%d" % (prefix, i), "1")
        os.makedirs(d)
        os.link(artifact, os.path.join(d, "model.onnx")) if same_fs(artifact, d) else shutil.copy(
            artifact, d)
        with open(os.path.join(repo, "%s%d" % (prefix, i), "model.yaml"), "w") as f:
            f.write("name: %s%d\nengine: onnxruntime\n"
                    "scaling: {minReplicas: 0, initialScale: %d, scaleToZeroAfter: 10m}\n"
                    % (prefix, i, initial))
    return repo


def same_fs(a, b):
    return os.stat(a).st_dev == os.stat(b).st_dev


class Serve:
    def __init__(self, repo, *args, ready_timeout=600):
        cmd = [os.path.join(ROOT, "kairos"), "serve", "--port", "0", "--admin-port", "0",
               "--grpc-port", "-1", "--models", repo] + list(args)
        env = dict(os.environ, KAIROS_SKIP_BUILD="1")
        self.repo = repo
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=open(os.environ.get("KAIROS_BENCH_LOG", os.devnull), "w"),
                                     text=True, env=env)
        self.lines = []
        self.stamped = []
        self.url = None
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(ready_timeout):
            self.close()
            raise RuntimeError("kairos serve not ready:\n" + "\n".join(self.lines[-30:]))

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())
            self.stamped.append((time.monotonic(), line.rstrip()))
            m = re.search(r"gateway listening on (http://127\.0\.0\.1:\d+)", line)
            if m:
                self.url = m.group(1)
            if "Kairos ready" in line:
                self.ready.set()
        self.ready.set()

    def rss_mib(self):
        """Resident memory of serve and every process under it, and how many there are."""
        pids = descendants(self.proc.pid) + [self.proc.pid]
        return sum(rss_kib(p) for p in pids) / 1024, len(pids)

    def close(self, keep_repo=False):
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        if not keep_repo:
            shutil.rmtree(self.repo, ignore_errors=True)


def children():
    out = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open("/proc/%s/stat" % p) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                out.setdefault(ppid, []).append(int(p))
            except (OSError, ValueError, IndexError):
                pass
    return out


def descendants(pid):
    tree, out, todo = children(), [], [pid]
    while todo:
        for c in tree.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]
