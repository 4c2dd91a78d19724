#!/usr/bin/python3
"""Streaming overhead of the gateway, per token, on the GPT-2-small-sized model.

Starts `./kairos serve` on a repository holding tools/models/out/gpt2-small, then, ROUNDS times each,
two kinds of round alternate. In each, a reference stream is opened straight to the model's runtime
replica (`POST /v1/completions` on the replica's port, with the replica token `kairos serve` gave
its child, read from the child's environment), twice as long as the measured one; once its first
event is in, the measured stream is opened: through the gateway (a `gateway` round) or, as a
control, straight to the replica like the reference (a `control` round). Both sequences then sit in
the same running batch, the reference always the older (so the engine emits its token first in
every step, in both kinds), and every decode step emits one token for each: each measured event is
paired with the reference event of the same step (the nearest in time; steps are far longer than
the relay), and the difference of their arrival times is taken. The control's differences are what
the method itself shows with no gateway (the order of the two events within a step, the client's
reading); the gateway's overhead per token is the gateway rounds' figure less the control's.

  /usr/bin/python3 tools/bench/generative/stream.py [ROUNDS] [TOKENS]

Needs `mvn -pl cli -am package` (it runs ./kairos with KAIROS_SKIP_BUILD=1).
"""
import json
import os
import re
import select
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
MODEL = os.path.join(ROOT, "tools", "models", "out", "gpt2-small")
ADMIN = "bench-admin-key-0123456789"


def start_serve(repo):
    env = dict(os.environ, KAIROS_SKIP_BUILD="1")
    proc = subprocess.Popen(
        [os.path.join(ROOT, "kairos"), "serve", "--models", repo, "--port", "0", "--admin-port", "0",
         "--admin-key", ADMIN, "--grpc-port", "0"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    gateway = admin = None
    deadline = time.time() + 300
    while time.time() < deadline and (gateway is None or admin is None):
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("kairos serve exited")
        m = re.search(r"Kairos gateway listening on (http://\S+)", line)
        if m:
            gateway = m.group(1)
        m = re.search(r"Admin API on (http://\S+)", line)
        if m:
            admin = m.group(1)
    return proc, gateway, admin


def replica(admin):
    req = urllib.request.Request(admin + "/admin/models/gpt2-small",
                                 headers={"Authorization": "Bearer " + ADMIN})
    doc = json.loads(urllib.request.urlopen(req, timeout=10).read())
    text = json.dumps(doc)
    found = re.findall(r"127\.0\.0\.1:(\d+)", text)
    return int(found[0]) if found else None


def token_of(port):
    out = subprocess.run(["ss", "-ltnpH", "sport = :%d" % port], capture_output=True, text=True).stdout
    pid = re.search(r"pid=(\d+)", out).group(1)
    with open("/proc/%s/environ" % pid, "rb") as f:
        for kv in f.read().split(b"\0"):
            if kv.startswith(b"KAIROS_REPLICA_TOKEN="):
                return kv.split(b"=", 1)[1].decode()
    raise SystemExit("no replica token in the replica's environment")


def open_stream(port, body, headers):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # Connection: close, so that any answer, an error included, ends with the connection.
    head = ("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            "Content-Type: application/json\r\n")
    for k, v in headers.items():
        head += "%s: %s\r\n" % (k, v)
    head += "Content-Length: %d\r\n\r\n" % len(body)
    s.sendall(head.encode() + body)
    return s


def first_event(s):
    """Waits for a stream's first `data:` event (its sequence is then running)."""
    buf = b""
    while b"data: {" not in buf:
        data = s.recv(65536)
        if not data:
            raise SystemExit("the reference stream ended before its first event")
        buf += data


def read_both(socks):
    """Arrival time of each `data:` event on each socket, read by one thread with select."""
    times = {s: [] for s in socks}
    done = set()
    tails = {s: b"" for s in socks}
    while len(done) < len(socks):
        ready, _, _ = select.select([s for s in socks if s not in done], [], [], 900)
        now = time.perf_counter()
        if not ready:
            raise SystemExit("stream stalled")
        for s in ready:
            data = s.recv(65536)
            if not data:
                done.add(s)
                continue
            buf = tails[s] + data
            n = buf.count(b"data: {")
            times[s].extend([now] * n)
            tails[s] = buf[-16:] if n == 0 else buf[buf.rfind(b"data: {") + 7:][-16:]
            if b"data: [DONE]" in buf:
                done.add(s)
    for s in socks:
        s.close()
    return [times[s] for s in socks]


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    tokens = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    work = tempfile.mkdtemp(prefix="genbench-")
    repo = os.path.join(work, "models")
    os.makedirs(os.path.join(repo, "gpt2-small", "1"))
    os.link(os.path.join(MODEL, "1", "model.onnx"), os.path.join(repo, "gpt2-small", "1", "model.onnx"))
    with open(os.path.join(repo, "gpt2-small", "model.yaml"), "w") as f:
        f.write("task: text-generation\ntokenizer: gpt2\n"
                "generation: {contextLength: 1024, kvCacheMemory: 256Mi, maxRunning: 16}\n"
                "scaling: {minReplicas: 1, initialScale: 1}\n")
    proc, gateway, admin = start_serve(repo)
    try:
        gport = int(gateway.rsplit(":", 1)[1].strip("/"))
        body = json.dumps({"model": "gpt2-small", "prompt": "The quick brown fox", "max_tokens": tokens,
                           "temperature": 0, "stream": True, "ignore_eos": True}).encode()
        # The first request wakes the model; wait until its replica answers.
        rport = None
        deadline = time.time() + 300
        while time.time() < deadline and rport is None:
            s = open_stream(gport, body, {})
            if read_both([s])[0]:
                rport = replica(admin)
        token = token_of(rport)
        direct = {"Kairos-Replica-Token": token}
        ref_body = json.dumps({"model": "gpt2-small", "prompt": "The quick brown fox",
                               "max_tokens": 2 * tokens, "temperature": 0, "stream": True,
                               "ignore_eos": True}).encode()
        print("bench=stream tokens=%d gateway=%d replica=%d" % (tokens, gport, rport))
        every = {"gateway": [], "control": []}
        medians = {"gateway": [], "control": []}
        for r in range(rounds + 1):
            for kind in ("gateway", "control"):
                ref = open_stream(rport, ref_body, direct)
                first_event(ref)
                m = open_stream(gport, body, {}) if kind == "gateway" else open_stream(rport, body, direct)
                tm, tr = read_both([m, ref])
                # the nearest reference event; a step is tens of ms, so a pair farther apart than
                # half a step (10 ms) is not the same step (none expected: the reference outlasts the other)
                diffs = [d for d in (min((a - b for b in tr), key=abs) * 1000 for a in tm) if abs(d) < 10]
                if r == 0:
                    continue  # warm-up
                med = statistics.median(diffs)
                medians[kind].append(med)
                every[kind].extend(diffs)
                print("round=%d mode=%s events=%d paired=%d median_ms=%.3f p90_ms=%.3f mean_ms=%.3f"
                      % (r, kind, len(tm), len(diffs), med, sorted(diffs)[int(0.9 * len(diffs))],
                         statistics.mean(diffs)))
        for kind in ("gateway", "control"):
            e = sorted(every[kind])
            print("%s: median of round medians %.3f ms (range %.3f .. %.3f); all %d tokens: median"
                  " %.3f ms, p25 %.3f, p75 %.3f, mean %.3f"
                  % (kind, statistics.median(medians[kind]), min(medians[kind]), max(medians[kind]),
                     len(e), statistics.median(e), e[len(e) // 4], e[3 * len(e) // 4],
                     statistics.mean(e)))
        pairs = [g - c for g, c in zip(medians["gateway"], medians["control"])]
        print("overhead per token (gateway - control): median of the %d round pairs %.3f ms"
              " (range %.3f .. %.3f); over all tokens %.3f ms (medians), %.3f ms (means)"
              % (len(pairs), statistics.median(pairs), min(pairs), max(pairs),
                 statistics.median(every["gateway"]) - statistics.median(every["control"]),
                 statistics.mean(every["gateway"]) - statistics.mean(every["control"])))
    finally:
        proc.terminate()
        proc.wait(60)


if __name__ == "__main__":
    main()
