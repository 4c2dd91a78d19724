#!/usr/bin/env bash
# Gateway throughput and latency: direct vs nginx proxy_pass vs Kairos, side by side, same run.
#
# Servers (echo backend, nginx, Kairos) are pinned to CPU $SERVER_CPU, wrk to $WRK_CPU. A ~1 KB
# OIP JSON POST, 64 connections. Each server is warmed up once ($WARMUP s), then every round
# measures, for each configuration: max throughput ($DURATION s), then latency at half of the
# nginx rate measured in that round. Results: $WORK/results.tsv and a Markdown summary (medians).
#
#   tools/bench/gateway/run.sh                 # 3 rounds, 30 s warm-up, 20 s per measurement
#   ROUNDS=5 DURATION=30 tools/bench/gateway/run.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$(pwd)
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-30}
DURATION=${DURATION:-20}
CONNS=${CONNS:-64}
SERVER_CPU=${SERVER_CPU:-0}
WRK_CPU=${WRK_CPU:-1}
WORK=${WORK:-$ROOT/tools/bench/work/gateway}
BACKEND_PORT=${BACKEND_PORT:-19101}
NGINX_PORT=${NGINX_PORT:-19102}
KAIROS_PORT=${KAIROS_PORT:-19103}
RELAY_PORT=${RELAY_PORT:-19104}
# WITH_RELAY=1 adds "relay": a bare Netty relay (src/NettyRelay.java), NOT the gateway, as a
# measuring stick for what forwarding costs without Vert.x's HTTP layers.
WITH_RELAY=${WITH_RELAY:-0}
# The "kairos" row runs the gateway's JVM as shipped: the JVM options ./kairos passes by default
# (read from the launcher, so the two cannot drift apart) and the CLI's logging configuration.
# Nothing else: no Vert.x or Netty system properties, which neither ./kairos nor the container
# image sets.
SHIPPED_OPTS=$(sed -n 's/.*\${KAIROS_JAVA_OPTS:-\([^}]*\)}.*/\1/p' kairos)
[ -n "$SHIPPED_OPTS" ] || { echo "cannot read the default JVM options from ./kairos" >&2; exit 1; }
KAIROS_JVM_OPTS="$SHIPPED_OPTS -Dlogback.configurationFile=cli/src/main/resources/logback.xml"
# The echo backend and the relay are measuring sticks, tuned to cost as little as they can.
# WITH_TUNED=1 adds "kairos-tuned": the same gateway with these flags too. They are NOT shipped:
# -Dvertx.disableHttpHeadersValidation=true lets CR/LF and other invalid characters through in
# header names and values, which a public-facing gateway must refuse (request smuggling, response
# splitting), and the row only shows what the other flags would buy.
JVM_OPTS=${JVM_OPTS:--XX:+UseSerialGC -Xms64m -Xmx128m -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=64m -Dio.netty.leakDetection.level=disabled -Dvertx.disableContextTimings=true -Dvertx.disableMetrics=true -Dvertx.disableHttpHeadersValidation=true -Dvertx.cacheImmutableHttpResponseHeaders=true -Dvertx.internCommonHttpRequestHeadersToLowerCase=true -Dlogback.configurationFile=tools/bench/gateway/logback.xml}
WITH_TUNED=${WITH_TUNED:-0}
TUNED_PORT=${TUNED_PORT:-19105}

need() {
  command -v "$1" >/dev/null 2>&1 && return
  echo "installing $2 (apt-get)..." >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q "$2"; else sudo apt-get update -q && sudo apt-get install -y -q "$2"; fi
}
need wrk wrk
need nginx nginx
need taskset util-linux

mkdir -p "$WORK/classes" "$WORK/nginx/tmp"
if [ "${KAIROS_BENCH_BUILT:-}" = 1 ] && [ -d cli/target/lib ]; then
  # run-all has just built everything: the CLI's lib folder holds the gateway and all it needs.
  CP="$ROOT/cli/target/lib/*"
else
  echo "building gateway..." >&2
  # One invocation, so the reactor resolves kairos-sdk-java from this checkout (never from ~/.m2).
  mvn -B -q -pl gateway -am package dependency:build-classpath -DskipTests -Dspotless.check.skip=true \
    -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=runtime >&2
  CP="$ROOT/gateway/target/classes:$(ls "$ROOT"/sdk-java/target/kairos-sdk-java-*.jar | head -1):$(cat "$WORK/cp.txt")"
fi
javac -nowarn -d "$WORK/classes" -cp "$CP" tools/bench/gateway/src/*.java
CP="$WORK/classes:$CP"

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_port() { for _ in $(seq 1 150); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return; sleep 0.2; done; echo "port $1 did not open" >&2; exit 1; }

taskset -c "$SERVER_CPU" java $JVM_OPTS -cp "$CP" EchoBackend "$BACKEND_PORT" >"$WORK/backend.log" 2>&1 &
BACKEND_PID=$!
PIDS+=($BACKEND_PID)
sed -e "s/BACKEND_PORT/$BACKEND_PORT/" -e "s/NGINX_PORT/$NGINX_PORT/" tools/bench/gateway/nginx.conf >"$WORK/nginx/nginx.conf"
taskset -c "$SERVER_CPU" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx.log" 2>&1 &
NGINX_PID=$!
PIDS+=($NGINX_PID)
taskset -c "$SERVER_CPU" java $KAIROS_JVM_OPTS -cp "$CP" GatewayMain "$KAIROS_PORT" "$BACKEND_PORT" >"$WORK/kairos.log" 2>&1 &
KAIROS_PID=$!
PIDS+=($KAIROS_PID)
RELAY_PID=$KAIROS_PID
TUNED_PID=$KAIROS_PID
if [ "$WITH_TUNED" = 1 ]; then
  taskset -c "$SERVER_CPU" java $JVM_OPTS -cp "$CP" GatewayMain "$TUNED_PORT" "$BACKEND_PORT" >"$WORK/kairos-tuned.log" 2>&1 &
  TUNED_PID=$!
  PIDS+=($TUNED_PID)
  wait_port "$TUNED_PORT"
fi
if [ "$WITH_RELAY" = 1 ]; then
  taskset -c "$SERVER_CPU" java $JVM_OPTS -cp "$CP" NettyRelay "$RELAY_PORT" "$BACKEND_PORT" >"$WORK/relay.log" 2>&1 &
  RELAY_PID=$!
  PIDS+=($RELAY_PID)
  wait_port "$RELAY_PORT"
fi
wait_port "$BACKEND_PORT"; wait_port "$NGINX_PORT"; wait_port "$KAIROS_PORT"

declare -A PORT=([direct]=$BACKEND_PORT [nginx]=$NGINX_PORT [kairos]=$KAIROS_PORT [relay]=$RELAY_PORT [kairos-tuned]=$TUNED_PORT)
NGINX_WORKER=$(pgrep -P "$NGINX_PID" | head -1)
# The process whose CPU time is the proxy's: the backend itself for "direct".
declare -A PROXY=([direct]=$BACKEND_PID [nginx]=${NGINX_WORKER:-$NGINX_PID} [kairos]=$KAIROS_PID [relay]=$RELAY_PID [kairos-tuned]=$TUNED_PID)
EXTRA=""; [ "$WITH_TUNED" = 1 ] && EXTRA+=" kairos-tuned"; [ "$WITH_RELAY" = 1 ] && EXTRA+=" relay"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)
LUA=tools/bench/gateway/post.lua
curl -sf -X POST -H 'Content-Type: application/json' -d '{"inputs":[]}' "http://127.0.0.1:$KAIROS_PORT/v2/models/echo/infer" >/dev/null

# wrk output → "rps p50_ms p99_ms"
parse() {
  awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 }
    /Non-2xx/ { bad = $NF } /Socket errors/ { err = $0 }
    END { printf "%.0f %.3f %.3f %s\n", rps, p50, p99, (bad ? bad : 0) }'
}
run_wrk() { # name seconds delay_ms → "rps p50 p99 non2xx proxy_us_per_req backend_us_per_req"
  local p0 b0 out n
  p0=$(cpu_ticks "${PROXY[$1]}"); b0=$(cpu_ticks "$BACKEND_PID")
  out=$(KAIROS_BENCH_DELAY_MS=$3 taskset -c "$WRK_CPU" wrk -t1 -c"$CONNS" -d"$2"s --latency -s "$LUA" "http://127.0.0.1:${PORT[$1]}")
  echo "$out" >>"$WORK/wrk.log"
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  echo "$(echo "$out" | parse) $(( ( $(cpu_ticks "${PROXY[$1]}") - p0 ) * 1000000 / TICK / (n > 0 ? n : 1) )) $(( ( $(cpu_ticks "$BACKEND_PID") - b0 ) * 1000000 / TICK / (n > 0 ? n : 1) ))"
}

echo "warming up ${WARMUP}s each..." >&2
for c in direct nginx kairos$EXTRA; do run_wrk "$c" "$WARMUP" 0 >/dev/null; done

RES="$WORK/results.tsv"
printf "round\tconfig\tmode\trps\tp50_ms\tp99_ms\tnon2xx\tproxy_cpu_us_per_req\tbackend_cpu_us_per_req\tload1\tkairos_rss_mb\n" >"$RES"
for r in $(seq 1 "$ROUNDS"); do
  declare -A MAX=()
  # Rotate the order every round so no configuration always runs first (or last) in a round.
  case $(( r % 3 )) in 1) ORDER="direct nginx kairos$EXTRA";; 2) ORDER="nginx kairos$EXTRA direct";; *) ORDER="kairos$EXTRA direct nginx";; esac
  for c in $ORDER; do
    read -r rps p50 p99 bad pcpu bcpu < <(run_wrk "$c" "$DURATION" 0)
    MAX[$c]=$rps
    load=$(cut -d' ' -f1 /proc/loadavg); rss=$(( $(awk '/VmRSS/ {print $2}' /proc/$KAIROS_PID/status) / 1024 ))
    printf "%s\t%s\tmax\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$r" "$c" "$rps" "$p50" "$p99" "$bad" "$pcpu" "$bcpu" "$load" "$rss" | tee -a "$RES" >&2
  done
  half=$(( ${MAX[nginx]} / 2 ))
  delay=$(( 1000 * CONNS / (half > 0 ? half : 1) ))
  for c in $ORDER; do
    read -r rps p50 p99 bad pcpu bcpu < <(run_wrk "$c" "$DURATION" "$delay")
    load=$(cut -d' ' -f1 /proc/loadavg); rss=$(( $(awk '/VmRSS/ {print $2}' /proc/$KAIROS_PID/status) / 1024 ))
    printf "%s\t%s\thalf_nginx(%s/s)\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$r" "$c" "$half" "$rps" "$p50" "$p99" "$bad" "$pcpu" "$bcpu" "$load" "$rss" | tee -a "$RES" >&2
  done
done

python3 tools/bench/gateway/summarize.py "$RES" | tee "$WORK/summary.md"
