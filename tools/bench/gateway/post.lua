-- ~1 KB OIP JSON inference request (FP32 [1,96]), POSTed on every request.
local data = {}
for i = 1, 96 do data[i] = string.format("%.4f", (i * 37 % 101) / 101) end
wrk.method = "POST"
wrk.path = os.getenv("KAIROS_BENCH_PATH") or "/v2/models/echo/infer"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"id":"bench","inputs":[{"name":"input","datatype":"FP32","shape":[1,96],"data":['
  .. table.concat(data, ",") .. ']}]}'

-- Fixed-rate mode: KAIROS_BENCH_DELAY_MS between a response and the next request on each
-- connection (wrk has no -R; this paces the 64 connections to about the wanted total rate).
local delay_ms = tonumber(os.getenv("KAIROS_BENCH_DELAY_MS") or "0")
if delay_ms > 0 then
  function delay() return delay_ms end
end
