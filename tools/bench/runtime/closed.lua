-- wrk script for closed-loop clients, one connection per wrk thread (-tC -cC): POSTs the file
-- $BODY ($HLEN as in post.lua) and, at the end, prints each connection's answer count on a line
-- "conn N 2xx=A other=B", so a benchmark can check that every connection was served evenly.
local f = assert(io.open(os.getenv("BODY"), "rb"))
local body = f:read("*a")
f:close()
local hlen = os.getenv("HLEN")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok = 0
  other = 0
  wrk.method = "POST"
  wrk.body = body
  if hlen and hlen ~= "" then
    wrk.headers["Content-Type"] = "application/octet-stream"
    wrk.headers["Inference-Header-Content-Length"] = hlen
  else
    wrk.headers["Content-Type"] = "application/json"
  end
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  for i, t in ipairs(threads) do
    io.write(string.format("conn %d 2xx=%d other=%d\n", i, t:get("ok"), t:get("other")))
  end
end
