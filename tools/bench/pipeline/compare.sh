#!/usr/bin/env bash
# The gateway before and after a change, side by side in one run: the gateway built from $OLD_REF
# (default main) and the one of this checkout, each as ./kairos ships its JVM, in front of the same
# OIP echo backend (tools/bench/gateway's), all three pinned to CPU $SERVER_CPU, wrk to $WRK_CPU.
# Each round measures both at full speed, then both at a fixed pace (half the old gateway's rate in
# that round); the order alternates between rounds. CPU time per request is read from /proc.
#
#   tools/bench/pipeline/compare.sh                    # 5 rounds, 10 s per measurement
#   OLD_REF=a105a4d ROUNDS=7 DURATION=20 tools/bench/pipeline/compare.sh
#   OLD_CLASSES=/path/to/old/gateway/target/classes tools/bench/pipeline/compare.sh   # skip the old build
#   FIRST=new ...                                      # start, warm and run the new one first
# The old gateway runs with the old launcher's JVM options and (when built here) the old SDK.
#   OLD_CLASSES=gateway/target/classes OLD_JVM_OPTS="..." NEW_JVM_OPTS="..." ...   # two JVM settings
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$(pwd)
OLD_REF=${OLD_REF:-main}
ROUNDS=${ROUNDS:-5}
WARMUP=${WARMUP:-15}
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
SERVER_CPU=${SERVER_CPU:-0}
WRK_CPU=${WRK_CPU:-1}
WORK=${WORK:-$ROOT/tools/bench/work/pipeline}
BACKEND_PORT=${BACKEND_PORT:-19201}
OLD_PORT=${OLD_PORT:-19202}
NEW_PORT=${NEW_PORT:-19203}
SHIPPED_OPTS=$(sed -n 's/.*\${KAIROS_JAVA_OPTS:-\([^}]*\)}.*/\1/p' kairos)
[ -n "$SHIPPED_OPTS" ] || { echo "cannot read the default JVM options from ./kairos" >&2; exit 1; }
KAIROS_JVM_OPTS=${NEW_JVM_OPTS:-"$SHIPPED_OPTS -Dlogback.configurationFile=cli/src/main/resources/logback.xml"}
BACKEND_OPTS="-XX:+UseSerialGC -Xms64m -Xmx128m -Dio.netty.leakDetection.level=disabled -Dvertx.disableMetrics=true -Dlogback.configurationFile=tools/bench/gateway/logback.xml"

mkdir -p "$WORK/classes"
echo "building this checkout's gateway..." >&2
mvn -B -q -o -pl gateway -am package dependency:build-classpath -DskipTests -Dspotless.check.skip=true \
  -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=runtime >&2
LIBS="$(ls "$ROOT"/sdk-java/target/kairos-sdk-java-*.jar | head -1):$(cat "$WORK/cp.txt")"
NEW_CP="$ROOT/gateway/target/classes:$LIBS"
if [ -z "${OLD_CLASSES:-}" ]; then
  echo "building the gateway of $OLD_REF..." >&2
  rm -rf "$WORK/old"
  git worktree prune
  git worktree add --detach "$WORK/old" "$OLD_REF" >&2
  (cd "$WORK/old" && mvn -B -q -o -pl gateway -am package -DskipTests -Dspotless.check.skip=true >&2)
  OLD_CLASSES="$WORK/old/gateway/target/classes"
  OLD_SDK=${OLD_SDK:-$(ls "$WORK"/old/sdk-java/target/kairos-sdk-java-*.jar | head -1)}
fi
# The old gateway runs with the old SDK (OLD_SDK, when given or built here) and with the JVM
# options of the old launcher, so a change to either is part of what is compared.
OLD_CP="$OLD_CLASSES:${OLD_SDK:+$OLD_SDK:}$LIBS"
OLD_SHIPPED=$(git show "$OLD_REF:kairos" | sed -n 's/.*\${KAIROS_JAVA_OPTS:-\([^}]*\)}.*/\1/p')
OLD_JVM_OPTS=${OLD_JVM_OPTS:-"${OLD_SHIPPED:-$SHIPPED_OPTS} -Dlogback.configurationFile=cli/src/main/resources/logback.xml"}
echo "old JVM options: $OLD_JVM_OPTS; new: $KAIROS_JVM_OPTS" >&2
javac -nowarn -d "$WORK/classes" -cp "$NEW_CP" tools/bench/gateway/src/EchoBackend.java tools/bench/gateway/src/GatewayMain.java

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 150); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return; sleep 0.2; done; echo "port $1 did not open" >&2; exit 1; }

taskset -c "$SERVER_CPU" java $BACKEND_OPTS -cp "$WORK/classes:$NEW_CP" EchoBackend "$BACKEND_PORT" >"$WORK/backend.log" 2>&1 &
PIDS+=($!)
start_old() {
  taskset -c "$SERVER_CPU" java $OLD_JVM_OPTS -cp "$WORK/classes:$OLD_CP" GatewayMain "$OLD_PORT" "$BACKEND_PORT" >"$WORK/old.log" 2>&1 &
  OLD_PID=$!
  PIDS+=($OLD_PID)
}
start_new() {
  taskset -c "$SERVER_CPU" java $KAIROS_JVM_OPTS -cp "$WORK/classes:$NEW_CP" GatewayMain "$NEW_PORT" "$BACKEND_PORT" >"$WORK/new.log" 2>&1 &
  NEW_PID=$!
  PIDS+=($NEW_PID)
}
# FIRST=new starts (and warms up) the new gateway first, to see whether the order matters.
if [ "${FIRST:-old}" = new ]; then start_new; start_old; else start_old; start_new; fi
wait_port "$BACKEND_PORT"; wait_port "$OLD_PORT"; wait_port "$NEW_PORT"
declare -A PORT=([old]=$OLD_PORT [new]=$NEW_PORT)
declare -A PID=([old]=$OLD_PID [new]=$NEW_PID)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)
LUA=tools/bench/gateway/post.lua
for c in old new; do
  curl -sf -X POST -H 'Content-Type: application/json' -d '{"inputs":[]}' "http://127.0.0.1:${PORT[$c]}/v2/models/echo/infer" >/dev/null
done
parse() {
  awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $NF }
    END { printf "%.0f %.3f %.3f %s\n", rps, p50, p99, (bad ? bad : 0) }'
}
run_wrk() { # config seconds delay_ms → "rps p50 p99 non2xx gateway_us_per_req"
  local c0 out n
  c0=$(cpu_ticks "${PID[$1]}")
  out=$(KAIROS_BENCH_DELAY_MS=$3 taskset -c "$WRK_CPU" wrk -t1 -c"$CONNS" -d"$2"s --latency -s "$LUA" "http://127.0.0.1:${PORT[$1]}")
  echo "$out" >>"$WORK/wrk.log"
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  echo "$(echo "$out" | parse) $(( ( $(cpu_ticks "${PID[$1]}") - c0 ) * 1000000 / TICK / (n > 0 ? n : 1) ))"
}
echo "warming up ${WARMUP}s each..." >&2
if [ "${FIRST:-old}" = new ]; then WARM="new old"; else WARM="old new"; fi
for c in $WARM; do run_wrk "$c" "$WARMUP" 0 >/dev/null; done
RES="$WORK/results.tsv"
printf "round\tconfig\tmode\trps\tp50_ms\tp99_ms\tnon2xx\tgateway_cpu_us_per_req\tload1\n" >"$RES"
for r in $(seq 1 "$ROUNDS"); do
  if [ $(( r % 2 )) = 1 ]; then ORDER="$WARM"; else ORDER=$(echo "$WARM" | awk '{print $2, $1}'); fi
  declare -A MAX=()
  for c in $ORDER; do
    read -r rps p50 p99 bad cpu < <(run_wrk "$c" "$DURATION" 0)
    MAX[$c]=$rps
    printf "%s\t%s\tmax\t%s\t%s\t%s\t%s\t%s\t%s\n" "$r" "$c" "$rps" "$p50" "$p99" "$bad" "$cpu" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$RES" >&2
  done
  half=$(( ${MAX[old]} / 2 ))
  delay=$(( 1000 * CONNS / (half > 0 ? half : 1) ))
  for c in $ORDER; do
    read -r rps p50 p99 bad cpu < <(run_wrk "$c" "$DURATION" "$delay")
    printf "%s\t%s\thalf\t%s\t%s\t%s\t%s\t%s\t%s\n" "$r" "$c" "$rps" "$p50" "$p99" "$bad" "$cpu" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$RES" >&2
  done
done
python3 tools/bench/pipeline/summarize.py "$RES" | tee "$WORK/summary.md"
