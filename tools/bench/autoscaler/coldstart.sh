#!/usr/bin/env bash
# Cold start of a model at zero replicas: first request -> first byte of its response, through
# `kairos serve` (gateway, activator, autoscaler, a fresh replica JVM). p50 over N trials for the
# small CNN (examples/models/cnn) and ResNet-18 ONNX (generated into tools/bench/models/, ignored).
#
#   tools/bench/autoscaler/coldstart.sh [TRIALS]          (default 10)
#   COLDSTART_MODELS=resnet18 tools/bench/autoscaler/coldstart.sh 3   (one model only)
#
# Every trial waits until the model is back at zero (stable window 6s, grace 0s), then times one
# request with curl's time_total (the answer is a few KB, so this is its first byte to within a
# millisecond; time_starttransfer is set when a large upload starts, not when the answer comes). Two modes: a fresh replica JVM per cold start
# (--warm-pool 0), and a warm pool of one standby runtime process that loads the model on
# assignment (--warm-pool 1). Warm latency (replica up) is measured alongside. Every trial is also
# written to tools/bench/work/coldstart/results.tsv (pool size, model, cold|warm, seconds), which
# tools/bench/autoscaler/table turns into the BENCHMARKS.md table.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
TRIALS="${1:-10}"
MODELS="${COLDSTART_MODELS:-cnn resnet18}"
WORK="$ROOT/tools/bench/work/coldstart"
MODELS_SRC="$ROOT/tools/bench/models"
rm -rf "$WORK" && mkdir -p "$WORK/models"

if [ ! -f "$MODELS_SRC/resnet18/1/model.onnx" ] || [ ! -f "$MODELS_SRC/resnet18-request.json" ]; then
  /usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null || {
    echo "installing python3-torch python3-torchvision (Debian)" >&2
    sudo apt-get install -y python3-torch python3-torchvision >&2 || apt-get install -y python3-torch python3-torchvision >&2
  }
  /usr/bin/python3 "$ROOT/tools/bench/autoscaler/make_resnet18.py" "$MODELS_SRC" >&2
fi

SCALING='scaling: {minReplicas: 0, initialScale: 0, maxReplicas: 1, targetConcurrency: 1, stableWindow: 6s, panicWindowPercentage: 20, scaleToZeroAfter: 0s}'
mkdir -p "$WORK/models/cnn/1" "$WORK/models/resnet18/1"
cp "$ROOT/examples/models/cnn/1/model.onnx" "$WORK/models/cnn/1/"
cp "$MODELS_SRC/resnet18/1/model.onnx" "$WORK/models/resnet18/1/"
echo "$SCALING" > "$WORK/models/cnn/model.yaml"
echo "$SCALING" > "$WORK/models/resnet18/model.yaml"
cp "$ROOT/examples/models/cnn/golden/request.json" "$WORK/cnn-request.json"
cp "$MODELS_SRC/resnet18-request.json" "$WORK/resnet18-request.json"

measure() { # url model -> "code seconds-to-first-byte"
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H 'Content-Type: application/json' -H 'Expect:' \
    --data-binary "@$WORK/$2-request.json" "$1/v2/models/$2/infer"
}
median() { sort -n | awk '{a[NR]=$1} END {printf "%.3f", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

run_mode() { # warm-pool size
  local pool="$1" log="$WORK/serve-pool$1.log"
  KAIROS_SKIP_BUILD=1 KAIROS_ADMIN_KEY=bench "$ROOT/kairos" serve --port 0 --admin-port 0 --warm-pool "$pool" \
    --models "$WORK/models" --autoscale-tick 1s > "$log" 2>&1 &
  KPID=$!
  for _ in $(seq 1 600); do grep -q "Kairos ready" "$log" && break; sleep 0.2; done
  local url admin
  url="$(grep -o 'gateway listening on http://127.0.0.1:[0-9]*' "$log" | sed 's/gateway listening on //')"
  admin="$(grep -o 'Admin API on http://127.0.0.1:[0-9]*' "$log" | sed 's/Admin API on //')"
  [ -n "$url" ] && [ -n "$admin" ] || { cat "$log"; exit 1; }
  for model in $MODELS; do
    local cold=() warm=() code t w
    for i in $(seq 1 "$TRIALS"); do
      # back at zero: no replica in the route, and (with a pool) the standbys refilled
      for _ in $(seq 1 900); do
        if curl -s -H 'Authorization: Bearer bench' "$admin/admin/models/$model" | grep -q '"replicas":\[\]' \
          && [ "$(pgrep -P "$KPID" | wc -l)" -le "$pool" ]; then break; fi
        sleep 0.1
      done
      [ "$pool" -gt 0 ] && sleep 3 # let the refilled standby finish its warm-up
      read -r code t < <(measure "$url" "$model")
      [ "$code" = 200 ] || { echo "$model trial $i: HTTP $code" >&2; tail -20 "$log" >&2; exit 1; }
      cold+=("$t")
      read -r code w < <(measure "$url" "$model")
      warm+=("$w")
      printf '%s\t%s\tcold\t%s\n%s\t%s\twarm\t%s\n' "$pool" "$model" "$t" "$pool" "$model" "$w" >> "$WORK/results.tsv"
    done
    printf "%-9s warm-pool=%s  cold start p50 %s s  (min %s, max %s, n=%s)   warm request p50 %s s\n" \
      "$model" "$pool" "$(printf '%s\n' "${cold[@]}" | median)" \
      "$(printf '%s\n' "${cold[@]}" | sort -n | head -1)" "$(printf '%s\n' "${cold[@]}" | sort -n | tail -1)" \
      "${#cold[@]}" "$(printf '%s\n' "${warm[@]}" | median)"
  done
  kill "$KPID"; wait "$KPID" 2>/dev/null || true
}

trap 'kill $KPID 2>/dev/null || true' EXIT
echo "load before: $(uptime | sed 's/.*load average: //') ; cores: $(nproc)"
run_mode 0
run_mode 1
echo "load after: $(uptime | sed 's/.*load average: //')"
