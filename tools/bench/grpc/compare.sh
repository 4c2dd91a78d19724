#!/usr/bin/env bash
# gRPC with raw contents against REST binary, through two `kairos serve`s side by side: this
# checkout's and another build's (OLD_HOME, a checkout built with `./kairos --help` or mvn package),
# the same light model (ResNet-18's input, almost no compute) in both. Each round runs both modes on
# one gateway, then on the other (the order alternates between rounds), at C = 1 and 4; then the
# engine alone (ONNX Runtime on the same model and input) for the overhead over the engine.
#   OLD_HOME=/path/to/old/checkout [ROUNDS=5] [SECONDS_PER_SLICE=5] tools/bench/grpc/compare.sh
# Without OLD_HOME only this checkout is measured. Prints a markdown table; logs go to stderr.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
rounds="${ROUNDS:-5}"
secs="${SECONDS_PER_SLICE:-5}"
work="tools/bench/work/grpc-compare"
rm -rf "$work" && mkdir -p "$work/models" "$work/classes"
/usr/bin/python3 tools/bench/grpc/make_light.py "$work/models" >&2
cp="cli/target/lib/*:cli/target/kairos-cli.jar"
javac -d "$work/classes" -cp "$cp" tools/bench/grpc/GrpcBench.java

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
start() { # NAME HOME
  KAIROS_SKIP_BUILD=1 "$2/kairos" serve --port 0 --grpc-port 0 --warm-pool 0 \
    --models "$work/models" > "$work/serve-$1.log" 2>&1 &
  pids+=($!)
  echo $! > "$work/pid-$1"
}
gateways=(new)
start new "$root"
if [ -n "${OLD_HOME:-}" ]; then
  gateways=(old new)
  start old "$OLD_HOME"
fi
for g in "${gateways[@]}"; do
  for _ in $(seq 1 180); do grep -q "Kairos ready" "$work/serve-$g.log" && break; sleep 1; done
  grep -q "Kairos ready" "$work/serve-$g.log" || { echo "serve $g did not start" >&2; exit 1; }
done
url() { grep -o "http://127.0.0.1:[0-9]*" "$work/serve-$1.log" | head -1; }
gport() { grep -o "gRPC listening on 127.0.0.1:[0-9]*" "$work/serve-$1.log" | cut -d: -f2; }

echo "load_start $(cut -d' ' -f1-3 /proc/loadavg)" > "$work/out"
for c in 1 4; do
  for r in $(seq 1 "$rounds"); do
    order=("${gateways[@]}")
    if [ $((r % 2)) -eq 0 ] && [ ${#gateways[@]} -eq 2 ]; then order=(new old); fi
    for g in "${order[@]}"; do
      MODES=rest-binary,grpc-raw java -cp "$work/classes:$cp" GrpcBench "$(url "$g")" "$(gport "$g")" \
        light "$secs" "$c" 1 2>>"$work/bench.err" | sed "s/^/gw=$g round=$r /" | tee -a "$work/out" >&2
    done
  done
done
MODES=none java -cp "$work/classes:$cp" GrpcBench "$(url new)" "$(gport new)" light "$secs" 1 "$rounds" \
  "$work/models/light/1/model.onnx" 2>>"$work/bench.err" | sed "s/^/gw=engine round=0 /" | tee -a "$work/out" >&2
echo "load_end $(cut -d' ' -f1-3 /proc/loadavg)" >> "$work/out"
/usr/bin/python3 tools/bench/grpc/summarize.py "$work/out"
