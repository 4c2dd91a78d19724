"""An independent client of the gateway's generative APIs: Python's http.client, SSE parsed by hand.

usage: gateway_client.py URL METHOD PATH [BODY_JSON] [--key KEY] [--leave-after N]
prints one JSON object: status, headers, and either the body or the list of SSE data payloads.
With --leave-after N the client closes its connection after N events (a client that goes away).
"""
import argparse
import http.client
import json
import urllib.parse

ap = argparse.ArgumentParser()
ap.add_argument("url")
ap.add_argument("method")
ap.add_argument("path")
ap.add_argument("body", nargs="?")
ap.add_argument("--key")
ap.add_argument("--leave-after", type=int, default=0)
a = ap.parse_args()
u = urllib.parse.urlparse(a.url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
headers = {"Content-Type": "application/json"}
if a.key:
    headers["Authorization"] = "Bearer " + a.key
conn.request(a.method, a.path, body=a.body.encode("utf-8") if a.body is not None else None,
             headers=headers)
resp = conn.getresponse()
out = {"status": resp.status, "headers": {k.lower(): v for k, v in resp.getheaders()}}
if resp.getheader("Content-Type", "").startswith("text/event-stream"):
    events, data = [], []
    while True:
        line = resp.readline()
        if not line:
            break
        line = line.decode("utf-8").rstrip("\r\n")
        if line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
        elif line == "" and data:
            events.append("\n".join(data))
            data = []
            if a.leave_after and len(events) >= a.leave_after:
                break
    out["events"] = events
    if a.leave_after:
        resp.close()
        conn.close()
else:
    out["body"] = resp.read().decode("utf-8")
print(json.dumps(out))
