#!/usr/bin/env bash
# gRPC with raw contents against REST binary through one `kairos serve` as shipped, with the same
# client for both: h2load (nghttp2's C load generator; Debian: apt-get install nghttp2-client),
# HTTP/1.1 for REST binary, HTTP/2 for gRPC. The model is make_light.py's (ResNet-18's 602 KB input,
# almost no compute), so the rates measure the protocols' paths, not the engine. Each round runs
# the two modes back to back, C = 1 then C = 4, after two warm-up rounds.
#   [ROUNDS=5] [CALLS=600] tools/bench/grpc/h2load.sh
# Prints one line per round and mode, then the per-round ratios gRPC / REST binary.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
rounds="${ROUNDS:-5}"
calls="${CALLS:-600}"
command -v h2load >/dev/null || { echo "h2load is needed (apt-get install nghttp2-client)" >&2; exit 1; }
work="tools/bench/work/grpc-h2load"
rm -rf "$work" && mkdir -p "$work/models"
/usr/bin/python3 tools/bench/grpc/make_light.py "$work/models" >&2
/usr/bin/python3 - "$work" <<'PY'
import json, os, struct, sys
work = sys.argv[1]
raw = os.urandom(3 * 224 * 224 * 4)
def varint(v):
    out = b""
    while True:
        b = v & 0x7f; v >>= 7
        if v: out += bytes([b | 0x80])
        else: return out + bytes([b])
def field(num, payload):
    return varint(num << 3 | 2) + varint(len(payload)) + payload
shape = b"".join(varint(x) for x in (1, 3, 224, 224))
msg = field(1, b"light") + field(5, field(1, b"input") + field(2, b"FP32") + field(3, shape)) + field(7, raw)
open(f"{work}/grpc.bin", "wb").write(b"\x00" + struct.pack(">I", len(msg)) + msg)
head = json.dumps({"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3, 224, 224],
                               "parameters": {"binary_data_size": len(raw)}}]}).encode()
open(f"{work}/rest.bin", "wb").write(head + raw)
open(f"{work}/headlen", "w").write(str(len(head)))
PY
KAIROS_SKIP_BUILD=1 ./kairos serve --port 0 --grpc-port 0 --warm-pool 0 --models "$work/models" \
  > "$work/serve.log" 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 1 180); do grep -q "Kairos ready" "$work/serve.log" && break; sleep 1; done
grep -q "Kairos ready" "$work/serve.log" || { echo "serve did not start" >&2; exit 1; }
rest="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log" | head -1)/v2/models/light/infer"
grpc="http://127.0.0.1:$(grep -o 'gRPC listening on 127.0.0.1:[0-9]*' "$work/serve.log" | cut -d: -f2)/inference.GRPCInferenceService/ModelInfer"
hl="$(cat "$work/headlen")"
# h2load's "finished in ..., R req/s" and the 2xx count; the mean time per request
one() { # MODE C N
  local out
  if [ "$1" = rest-binary ]; then
    out=$(h2load -n "$3" -c "$2" --h1 -d "$work/rest.bin" -H "content-type: application/octet-stream" \
      -H "inference-header-content-length: $hl" "$rest" 2>&1)
  else
    out=$(h2load -n "$3" -c "$2" -d "$work/grpc.bin" -H "content-type: application/grpc" \
      -H "te: trailers" "$grpc" 2>&1)
  fi
  echo "$out" | awk -v m="$1" -v c="$2" -v n="$3" '
    /^finished/ {rate=$4} /^status codes/ {ok=$3} /^time for request/ {mean=$6}
    END {printf "mode=%s C=%s rate=%s ok=%s/%s mean=%s\n", m, c, rate, ok, n, mean}'
}
echo "load_start $(cut -d' ' -f1-3 /proc/loadavg)"
for c in 1 4; do
  for _ in 1 2; do one rest-binary "$c" 200 >/dev/null; one grpc-raw "$c" 200 >/dev/null; done
  for r in $(seq 1 "$rounds"); do
    a=$(one rest-binary "$c" $((calls * c)))
    b=$(one grpc-raw "$c" $((calls * c)))
    echo "round=$r $a"
    echo "round=$r $b"
    echo "round=$r C=$c ratio=$(awk -v x="${b#*rate=}" -v y="${a#*rate=}" 'BEGIN{split(x,p," "); split(y,q," "); printf "%.2f", p[1]/q[1]}')"
  done
done
echo "load_end $(cut -d' ' -f1-3 /proc/loadavg)"
