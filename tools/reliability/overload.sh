#!/usr/bin/env bash
# Overload run (opt-in, not part of mvn verify): serves one replica of an example model, measures
# its capacity C with a closed loop, then offers it open-loop load in phases: a warm-up of the
# generator (0.8 C, 5 s, not judged), normal (0.8 C, 10 s), overload (FACTOR x C, OVER_SECONDS),
# normal again (0.8 C, 20 s)
# and reports goodput, the latency of accepted and of rejected requests, how soon throughput is
# back after the overload, and the max RSS of the gateway (kairos serve) and of the replica.
#
#   tools/reliability/overload.sh                 # cnn, 5x for 60 s, 1 s deadline
#   MODEL=mlp FACTOR=5 OVER_SECONDS=60 DEADLINE_MS=1000 tools/reliability/overload.sh
#   SERVE_OPTS="--replica-nice 0" tools/reliability/overload.sh   # replicas at the gateway's priority
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
# The generator's heap is fixed and its young generation large, so its own collections (which count
# in the latency it measures) are few and short.
LOAD=(java ${LOAD_OPTS:-} -XX:+UseSerialGC -Xms1g -Xmx1g -Xmn600m -Dlogback.configurationFile=tools/reliability/logback-quiet.xml -cp "$CP" tools/reliability/OverloadLoad.java)

./kairos serve --port 0 --admin-port 0 --warm-pool 0 ${SERVE_OPTS:-} --models "$WORK/models" > "$WORK/serve.log" 2>&1 &
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
# Capacity with as many closed-loop clients as the replica's queue holds: every batch is full, so C is
# the most the replica can do (fewer clients measure a C that overload, with its full batches, beats).
CAP=$("${LOAD[@]}" closed "$URL" "$BODY" "$DEADLINE_MS" "$MAX_QUEUE" 20 | grep '^capacity' | tee /dev/stderr | awk '{print $2}')
echo "rss after capacity run (KiB, gateway replica): $(cat "$WORK/rss")"
NORMAL=$(awk -v c="$CAP" 'BEGIN {printf "%.0f", 0.8 * c}')
OVER=$(awk -v c="$CAP" -v f="$FACTOR" 'BEGIN {printf "%.0f", f * c}')
echo "capacity $CAP/s: phases $NORMAL/s x 10 s, $OVER/s x $OVER_SECONDS s, $NORMAL/s x 20 s; deadline $DEADLINE_MS ms"
# Phase 0 (5 s at 0.8 C) warms the generator's own JVM up and is not judged. (LOAD_OPTS=-Dpreopen=true
# has the generator open all its connections first; that measured worse: requests spread over 2,048
# connections instead of the few hundred in use.)
# Where the cores go during the overload phase: CPU seconds of the gateway, the replica and the whole
# machine (the rest is mostly the generator), from /proc, sampled as the phase starts and ends.
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
all_cpu() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
( sleep 15; echo "$(cpu "$SERVE") $(cpu "$REPLICA") $(all_cpu)" > "$WORK/cpu0"
  sleep "$OVER_SECONDS"; echo "$(cpu "$SERVE") $(cpu "$REPLICA") $(all_cpu)" > "$WORK/cpu1" ) &
"${LOAD[@]}" open "$URL" "$BODY" "$DEADLINE_MS" "$NORMAL:5,$NORMAL:10,$OVER:$OVER_SECONDS,$NORMAL:20" | grep -E '^(phase|second|[0-9])' > "$WORK/open.txt"
grep '^phase' "$WORK/open.txt" | sed 's/^phase 0:/phase 0 (generator warm-up, not judged):/'
# The gateway's own view of its refusals before routing (version label empty): how many took <= 1,
# <= 10 ms from request to response, out of all of them.
curl -s "${URL%%/v2/*}/metrics" | awk -v m="$MODEL" '
  index($0, "kairos_gateway_request_duration_seconds_bucket{") == 1 && index($0, "model=\"" m "\"") && index($0, "version=\"\"") {
    if (index($0, "le=\"0.001\"")) a = $2; if (index($0, "le=\"0.01\"")) b = $2; if (index($0, "le=\"+Inf\"")) n = $2 }
  END { if (n > 0) printf "gateway-side time of the %d requests refused before routing: %.2f%% within 1 ms, %.2f%% within 10 ms\n", n, 100 * a / n, 100 * b / n }'
read -r G0 R0 A0 < "$WORK/cpu0"; read -r G1 R1 A1 < "$WORK/cpu1"
awk -v g=$((G1 - G0)) -v r=$((R1 - R0)) -v a=$((A1 - A0)) -v s="$OVER_SECONDS" -v t="$(getconf CLK_TCK)" 'BEGIN {
  printf "cores used during the overload phase: gateway %.2f, replica %.2f, everything else (mostly the generator) %.2f, of %d\n",
    g / t / s, r / t / s, (a - g - r) / t / s, '"$(nproc)"' }'
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
read -r MG MR < "$WORK/rss"
echo "max RSS: gateway (kairos serve) $((MG / 1024)) MiB, replica $((MR / 1024)) MiB"
# recovery: seconds after the overload until a second answers >= 95% of what was sent, all ok
awk -v drop=$((15 + OVER_SECONDS)) '$1 ~ /^[0-9]+$/ && $1 >= drop && !found && $4 > 0 && $5 >= 0.95 * $4 && $7 == 0 && $8 == 0 {
  print "throughput back to normal " ($1 - drop) " s after the overload ended (second " $1 ")"; found = 1 }
  END { if (!found) print "throughput not back to normal within the 20 s after the overload" }' "$WORK/open.txt"
echo "per-second table: $WORK/open.txt; serve log: $WORK/serve.log"
