-- wrk script: POSTs the file $BODY; $HLEN, when set, is the binary extension's JSON length.
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
local hlen = os.getenv("HLEN")
if hlen and hlen ~= "" then
  wrk.headers["Content-Type"] = "application/octet-stream"
  wrk.headers["Inference-Header-Content-Length"] = hlen
else
  wrk.headers["Content-Type"] = "application/json"
end
