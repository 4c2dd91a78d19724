"""An independent client for the generate routes: Python's http.client, SSE parsed by hand.

usage: sse_client.py PORT METHOD PATH [BODY_JSON]
prints one JSON object: status, headers, and either the body or the list of SSE data payloads,
with the time each event arrived relative to the first (to show they were not buffered).
"""
import http.client
import json
import sys
import time

port, method, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
body = sys.argv[4] if len(sys.argv) > 4 else None
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
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
    out["events"] = events
else:
    out["body"] = resp.read().decode("utf-8")
print(json.dumps(out))
