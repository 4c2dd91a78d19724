#!/usr/bin/env bash
# A light model through the full stack against the gateway forwarding to a no-op backend (issue 21:
# full stack >= 0.7x the no-op rate). Side by side, alternating by round: the gateway alone
# (tools/bench/gateway's GatewayMain, the JVM options ./kairos ships) in front of the echo backend,
# and `./kairos serve` with the example `mlp` model (ONNX Runtime) pinned to one replica (in a
# runtime host, serve's default for a light model). Every server process on CPU $SERVER_CPU, wrk
# (-t1 -c64) on $WRK_CPU, the same ~200-byte OIP JSON request (FP32 [1,16]) to both.
#
#   tools/bench/fullstack/run.sh                  # 5 rounds of 10 s after 40 s of warm-up each
#   ROUNDS=3 DURATION=10 WARMUP=20 tools/bench/fullstack/run.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$PWD
ROUNDS=${ROUNDS:-5}; DURATION=${DURATION:-10}; WARMUP=${WARMUP:-40}
SERVER_CPU=${SERVER_CPU:-0}; WRK_CPU=${WRK_CPU:-1}
WORK=${WORK:-$ROOT/tools/bench/work/fullstack}
mkdir -p "$WORK/classes"
[ -x ./kairos ] && [ -f cli/target/kairos-cli.jar ] || { echo "build first: ./kairos --help" >&2; exit 1; }
CP="$ROOT/cli/target/lib/*:$ROOT/cli/target/kairos-cli.jar"
javac -nowarn -d "$WORK/classes" -cp "$CP" tools/bench/gateway/src/EchoBackend.java tools/bench/gateway/src/GatewayMain.java
CP="$WORK/classes:$CP"
SHIPPED_OPTS=$(sed -n 's/.*\${KAIROS_JAVA_OPTS:-\([^}]*\)}.*/\1/p' kairos)
BACKEND_OPTS="-XX:+UseSerialGC -Xms64m -Xmx128m -Dio.netty.leakDetection.level=disabled -Dlogback.configurationFile=tools/bench/gateway/logback.xml"
REPO=$(mktemp -d)
cp -r examples/models/mlp "$REPO/"
echo "scaling: {minReplicas: 1, maxReplicas: 1, initialScale: 1}" >>"$REPO/mlp/model.yaml"
BODY='{"inputs":[{"name":"features","datatype":"FP32","shape":[1,16],"data":[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,1.1,1.2,1.3,1.4,1.5,1.6]}]}'
cat >"$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.path = os.getenv("BENCH_PATH")
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$BODY'
LUA
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
BACKEND_PORT=$(port); GATEWAY_PORT=$(port); SERVE_PORT=$(port)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$REPO"; }
trap cleanup EXIT
taskset -c "$SERVER_CPU" java $BACKEND_OPTS -cp "$CP" EchoBackend "$BACKEND_PORT" >"$WORK/backend.log" 2>&1 & PIDS+=($!)
taskset -c "$SERVER_CPU" java $SHIPPED_OPTS -Dlogback.configurationFile=cli/src/main/resources/logback.xml \
  -cp "$CP" GatewayMain "$GATEWAY_PORT" "$BACKEND_PORT" >"$WORK/gateway.log" 2>&1 & PIDS+=($!)
taskset -c "$SERVER_CPU" ./kairos serve --models "$REPO" --port "$SERVE_PORT" --admin-port 0 >"$WORK/serve.log" 2>&1 & PIDS+=($!)
for p in $BACKEND_PORT $GATEWAY_PORT $SERVE_PORT; do
  for _ in $(seq 1 300); do (echo >/dev/tcp/127.0.0.1/"$p") 2>/dev/null && break; sleep 0.2; done
done
for _ in $(seq 1 120); do
  curl -sf -X POST -H 'Content-Type: application/json' --data "$BODY" "http://127.0.0.1:$SERVE_PORT/v2/models/mlp/infer" >/dev/null && break
  sleep 0.5
done
rps() { # port path seconds
  BENCH_PATH=$2 taskset -c "$WRK_CPU" wrk -t1 -c64 -d"$3"s -s "$WORK/post.lua" "http://127.0.0.1:$1" \
    | awk '/Requests\/sec/ {r=$2} /Non-2xx/ {bad=$NF} END {if (bad) {print "non-2xx: " bad > "/dev/stderr"; exit 1} print r}'
}
echo "warming up ${WARMUP}s each..." >&2
rps "$GATEWAY_PORT" /v2/models/echo/infer "$WARMUP" >/dev/null
rps "$SERVE_PORT" /v2/models/mlp/infer "$WARMUP" >/dev/null
RATIOS=()
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then
    a=$(rps "$GATEWAY_PORT" /v2/models/echo/infer "$DURATION"); b=$(rps "$SERVE_PORT" /v2/models/mlp/infer "$DURATION")
  else
    b=$(rps "$SERVE_PORT" /v2/models/mlp/infer "$DURATION"); a=$(rps "$GATEWAY_PORT" /v2/models/echo/infer "$DURATION")
  fi
  ratio=$(python3 -c "print(f'{$b/$a:.3f}')")
  RATIOS+=("$ratio")
  echo "round $r (load $(cut -d' ' -f1 /proc/loadavg)): gateway -> no-op $a rps, full stack (mlp) $b rps, full stack / no-op $ratio"
done
python3 -c "import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print(f'full stack / gateway -> no-op: median {statistics.median(v):.3f} (min {min(v):.3f}, max {max(v):.3f}) over {len(v)} rounds')" "${RATIOS[@]}"
