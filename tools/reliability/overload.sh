#!/usr/bin/env bash
# Overload run (opt-in, not part of mvn verify): serves one replica of an example model, measures
# its capacity C with a closed loop, then offers it open-loop load in three phases:
#   normal (0.8 C, 10 s), overload (FACTOR x C, OVER_SECONDS), normal again (0.8 C, 20 s)
# and reports goodput, the latency of accepted and of rejected requests, how soon throughput is
# back after the overload, and the max RSS of the gateway (kairos serve) and of the replica.
#
#   tools/reliability/overload.sh                 # cnn, 5x for 60 s, 1 s deadline
#   MODEL=mlp FACTOR=5 OVER_SECONDS=60 DEADLINE_MS=1000 tools/reliability/overload.sh
#
# Needs a built checkout (./kairos builds it). Loopback only. The generator shares the machine's
# cores with what it measures: read the figures with the load average it prints.
set -euo pipefail
cd "$(dirname "$0")/../.."
MODEL=${MODEL:-cnn}
FACTOR=${FACTOR:-5}
OVER_SECONDS=${OVER_SECONDS:-60}
DEADLINE_MS=${DEADLINE_MS:-1000}
MAX_BATCH=${MAX_BATCH:-16}
MAX_QUEUE=${MAX_QUEUE:-64}
WORK=$(mktemp -d)
trap 'kill $SERVE 2>/dev/null || true; wait $SERVE 2>/dev/null || true; kill $SAMPLER 2>/dev/null || true' EXIT

mkdir -p "$WORK/models/$MODEL/1"
cp "examples/models/$MODEL/1/model.onnx" "$WORK/models/$MODEL/1/"
cat > "$WORK/models/$MODEL/model.yaml" <<YAML
name: $MODEL
batching: {maxBatchSize: $MAX_BATCH, maxQueueDelay: 2ms, maxQueueSize: $MAX_QUEUE}
scaling: {minReplicas: 1, initialScale: 1, maxReplicas: 1}
YAML
BODY="examples/models/$MODEL/golden/request.json"
CP="cli/target/lib/*"
LOAD=(java -XX:+UseSerialGC -Dlogback.configurationFile=tools/reliability/logback-quiet.xml -cp "$CP" tools/reliability/OverloadLoad.java)

./kairos serve --port 0 --admin-port 0 --warm-pool 0 --models "$WORK/models" > "$WORK/serve.log" 2>&1 &
SERVE=$!
for _ in $(seq 1 240); do grep -q "Kairos ready" "$WORK/serve.log" && break; sleep 0.5; done
URL=$(grep -o 'gateway listening on http://127.0.0.1:[0-9]*' "$WORK/serve.log" | awk '{print $4}')
URL="$URL/v2/models/$MODEL/infer"
REPLICA=$(ps --ppid "$SERVE" -o pid=,args= | awk '/RuntimeMain/ {print $1; exit}')
echo "serve pid $SERVE, replica pid $REPLICA, $URL"
echo "machine: $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# max RSS of each process, sampled every 200 ms
( mg=0; mr=0
  while kill -0 "$SERVE" 2>/dev/null; do
    g=$(awk '/VmRSS/ {print $2}' "/proc/$SERVE/status" 2>/dev/null || echo 0)
    r=$(awk '/VmRSS/ {print $2}' "/proc/$REPLICA/status" 2>/dev/null || echo 0)
    [ "${g:-0}" -gt "$mg" ] && mg=$g; [ "${r:-0}" -gt "$mr" ] && mr=$r
    echo "$mg $mr" > "$WORK/rss"; sleep 0.2
  done ) &
SAMPLER=$!

"${LOAD[@]}" closed "$URL" "$BODY" "$DEADLINE_MS" "$MAX_BATCH" 10 > /dev/null   # warm-up
CAP=$("${LOAD[@]}" closed "$URL" "$BODY" "$DEADLINE_MS" "$MAX_BATCH" 20 | grep '^capacity' | tee /dev/stderr | awk '{print $2}')
echo "rss after capacity run (KiB, gateway replica): $(cat "$WORK/rss")"
NORMAL=$(awk -v c="$CAP" 'BEGIN {printf "%.0f", 0.8 * c}')
OVER=$(awk -v c="$CAP" -v f="$FACTOR" 'BEGIN {printf "%.0f", f * c}')
echo "capacity $CAP/s: phases $NORMAL/s x 10 s, $OVER/s x $OVER_SECONDS s, $NORMAL/s x 20 s; deadline $DEADLINE_MS ms"
"${LOAD[@]}" open "$URL" "$BODY" "$DEADLINE_MS" "$NORMAL:10,$OVER:$OVER_SECONDS,$NORMAL:20" | grep -E '^(phase|second|[0-9])' > "$WORK/open.txt"; grep '^phase' "$WORK/open.txt"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
read -r MG MR < "$WORK/rss"
echo "max RSS: gateway (kairos serve) $((MG / 1024)) MiB, replica $((MR / 1024)) MiB"
# recovery: seconds after the overload until a second answers >= 95% of what was sent, all ok
awk -v drop=$((10 + OVER_SECONDS)) '$1 ~ /^[0-9]+$/ && $1 >= drop && !found && $4 > 0 && $5 >= 0.95 * $4 && $7 == 0 && $8 == 0 {
  print "throughput back to normal " ($1 - drop) " s after the overload ended (second " $1 ")"; found = 1 }
  END { if (!found) print "throughput not back to normal within the 20 s after the overload" }' "$WORK/open.txt"
echo "per-second table: $WORK/open.txt; serve log: $WORK/serve.log"
