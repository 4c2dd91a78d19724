#!/usr/bin/env bash
# A CPU profile of the gateway as shipped at full speed: the echo backend and the gateway (with the
# JVM options of ./kairos) on CPU $SERVER_CPU, wrk -c64 with the ~1 KB OIP POST on $WRK_CPU, and a
# JFR recording (the JDK's "profile" settings with Java sampled every 1 ms, written to $WORK/hot.jfc)
# attached for $SECONDS_PROFILED s after a $WARMUP s warm-up. Prints the top frames (self and
# total), the allocation by class and the gateway's CPU per request; the recording stays in $WORK.
#
#   tools/bench/wire/profile.sh                      # this checkout's gateway
#   GATEWAY_CLASSES=/other/gateway/target/classes SDK_JAR=/other/sdk.jar GATEWAY_OPTS=-Xmx1g \
#     tools/bench/wire/profile.sh                    # another build, with other JVM options
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$(pwd)
WARMUP=${WARMUP:-20}
SECONDS_PROFILED=${SECONDS_PROFILED:-20}
SERVER_CPU=${SERVER_CPU:-0}
WRK_CPU=${WRK_CPU:-1}
WORK=${WORK:-$ROOT/tools/bench/work/wire}
BACKEND_PORT=${BACKEND_PORT:-19301}
PORT=${PORT:-19302}
SHIPPED_OPTS=$(sed -n 's/.*\${KAIROS_JAVA_OPTS:-\([^}]*\)}.*/\1/p' kairos)
BACKEND_OPTS="-XX:+UseSerialGC -Xms64m -Xmx128m -Dio.netty.leakDetection.level=disabled -Dvertx.disableMetrics=true -Dlogback.configurationFile=tools/bench/gateway/logback.xml"
mkdir -p "$WORK/classes"
LIBS="${SDK_JAR:-$(ls "$ROOT"/sdk-java/target/kairos-sdk-java-*.jar | head -1)}:$ROOT/cli/target/lib/*"
CP="${GATEWAY_CLASSES:-$ROOT/gateway/target/classes}:$LIBS"
javac -nowarn -d "$WORK/classes" -cp "$CP" tools/bench/gateway/src/EchoBackend.java tools/bench/gateway/src/GatewayMain.java
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 150); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return; sleep 0.2; done; echo "port $1 did not open" >&2; exit 1; }
taskset -c "$SERVER_CPU" java $BACKEND_OPTS -cp "$WORK/classes:$CP" EchoBackend "$BACKEND_PORT" >"$WORK/backend.log" 2>&1 &
PIDS+=($!)
taskset -c "$SERVER_CPU" java ${GATEWAY_OPTS:-$SHIPPED_OPTS} -Dlogback.configurationFile=cli/src/main/resources/logback.xml \
  -cp "$WORK/classes:$CP" GatewayMain "$PORT" "$BACKEND_PORT" >"$WORK/gateway.log" 2>&1 &
GW=$!
PIDS+=($GW)
wait_port "$BACKEND_PORT"; wait_port "$PORT"
LUA=tools/bench/gateway/post.lua
taskset -c "$WRK_CPU" wrk -t1 -c64 -d"$WARMUP"s -s "$LUA" "http://127.0.0.1:$PORT" >/dev/null
rm -f "$WORK/gateway.jfr"
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
sed -e '/<event name="jdk.ExecutionSample">/,/<\/event>/ s#<setting name="period"[^>]*>[^<]*</setting>#<setting name="period">1 ms</setting>#' \
  "$JAVA_HOME/lib/jfr/profile.jfc" >"$WORK/hot.jfc"
jcmd "$GW" JFR.start name=wire settings="$WORK/hot.jfc" filename="$WORK/gateway.jfr" >/dev/null
t0=$(awk '{print $14 + $15}' /proc/$GW/stat)
out=$(taskset -c "$WRK_CPU" wrk -t1 -c64 -d"$SECONDS_PROFILED"s -s "$LUA" "http://127.0.0.1:$PORT")
t1=$(awk '{print $14 + $15}' /proc/$GW/stat)
jcmd "$GW" JFR.stop name=wire >/dev/null
echo "$out" | grep -E 'Requests/sec|requests in'
n=$(echo "$out" | awk '/requests in/ {print $1}')
echo "gateway CPU per request (with JFR attached): $(( (t1 - t0) * 1000000 / $(getconf CLK_TCK) / n )) us"
jfr print --json --events jdk.ThreadAllocationStatistics "$WORK/gateway.jfr" | python3 -c '
import json, sys
by = {}
for e in json.load(sys.stdin)["recording"]["events"]:
    v = e["values"]
    by.setdefault(v["thread"]["javaName"], []).append(v["allocated"])
total = sum(max(a) - min(a) for a in by.values())
print(f"allocated per request (all threads, from jdk.ThreadAllocationStatistics): {total / int(sys.argv[1]):,.0f} bytes")
' "$n"
jfr print --stack-depth 40 --events jdk.ExecutionSample "$WORK/gateway.jfr" >"$WORK/samples.txt"
jfr print --stack-depth 40 --events jdk.ObjectAllocationSample "$WORK/gateway.jfr" >"$WORK/alloc.txt"
python3 tools/bench/wire/frames.py "$WORK/samples.txt" "$WORK/alloc.txt"
