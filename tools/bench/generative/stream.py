#!/usr/bin/python3
"""Streaming overhead of the gateway, per token, on the GPT-2-small-sized model.

Starts `./kairos serve` on a repository holding tools/models/out/gpt2-small, then, ROUNDS times, opens
two identical greedy streams at once: one through the gateway (`POST /v1/completions`) and one
straight to the model's runtime replica (the same path on the replica's port, with the replica
token `kairos serve` gave its child, read from the child's environment). Both sequences sit in the
same running batch, so every decode step emits one token for each: each gateway event is paired with
the direct event of the same step (the nearest in time; steps are far longer than the relay), and
the difference of their arrival times is what the gateway adds to that token.

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
        print("bench=stream tokens=%d gateway=%d replica=%d" % (tokens, gport, rport))
        medians = []
        every = []
        for r in range(rounds + 1):
            g = open_stream(gport, body, {})
            d = open_stream(rport, body, {"Kairos-Replica-Token": token})
            tg, td = read_both([g, d])
            diffs = [min((a - b for b in td), key=abs) * 1000 for a in tg]
            if r == 0:
                continue  # warm-up
            med = statistics.median(diffs)
            medians.append(med)
            every.extend(diffs)
            print("round=%d events_gateway=%d events_direct=%d median_ms=%.3f p90_ms=%.3f mean_ms=%.3f"
                  % (r, len(tg), len(td), med, sorted(diffs)[int(0.9 * len(diffs))],
                     statistics.mean(diffs)))
        print("overall median of round medians: %.3f ms/token (range %.3f .. %.3f)"
              % (statistics.median(medians), min(medians), max(medians)))
        every.sort()
        print("all %d tokens: median %.3f ms, p25 %.3f, p75 %.3f, mean %.3f"
              % (len(every), statistics.median(every), every[len(every) // 4],
                 every[3 * len(every) // 4], statistics.mean(every)))
    finally:
        proc.terminate()
        proc.wait(60)


if __name__ == "__main__":
    main()
