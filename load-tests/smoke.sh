#!/usr/bin/env bash
# Gatling smoke run for CI: starts `./kairos serve` on free ports with one example model (mlp),
# waits until it is ready, runs the SteadyState simulation briefly with its assertions on (under 1%
# failed, p99 under kairos.p99Ms), and stops the server by its pid, whether Gatling passed or not.
# Exits non-zero when the server does not come up or an assertion fails.
#
#   load-tests/smoke.sh [extra -D options for Gatling, e.g. -Dkairos.p99Ms=200]
#
# Needs a built Kairos (cli/target/kairos-cli.jar: `mvn -B verify` or `./kairos` builds it);
# SMOKE_SECONDS (10), SMOKE_RAMP_SECONDS (10) and SMOKE_RATE (requests/s, 20) size the run.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d "${TMPDIR:-/tmp}/kairos-gatling-smoke.XXXXXX")"
mkdir -p "$work/models"
cp -r examples/models/mlp "$work/models/mlp"
# A steady state, not a cold start: one replica stays up even while Gatling starts (idle).
printf 'scaling: {minReplicas: 1, initialScale: 1}\n' >>"$work/models/mlp/model.yaml"
log="$work/serve.log"

KAIROS_SKIP_BUILD="${KAIROS_SKIP_BUILD:-1}" ./kairos serve --models "$work/models" --port 0 \
  --grpc-port -1 --admin-port 0 --warm-pool 0 >"$log" 2>&1 &
pid=$!
stop() {
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    # serve drains for up to 20 s; past 40 s it is stuck: kill it (its replicas exit with it).
    for _ in $(seq 400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT

for _ in $(seq 1800); do  # up to 180 s: a cold JVM and the replica's model load
  grep -q '^Kairos ready: ' "$log" && break
  kill -0 "$pid" 2>/dev/null || { echo "gatling smoke: kairos serve exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
grep -q '^Kairos ready: 1 of 1 models serving' "$log" \
  || { echo "gatling smoke: kairos serve did not get ready:" >&2; cat "$log" >&2; exit 1; }
url="$(sed -n 's/^Kairos gateway listening on \(http:[^ ]*\).*/\1/p' "$log")"
# Warm the path (gateway and replica JIT) outside the measured run; each answer must be a 200.
for _ in $(seq 100); do
  curl -sf -o /dev/null -H 'Content-Type: application/json' \
    --data-binary @examples/models/mlp/golden/request.json "$url/v2/models/mlp/infer" \
    || { echo "gatling smoke: warm-up request failed" >&2; tail -n 50 "$log" >&2; exit 1; }
done
echo "gatling smoke: SteadyState against $url (mlp)"

mvn -B -ntp -pl load-tests test-compile gatling:test \
  -Dgatling.simulationClass=dev.kairos.load.SteadyState \
  -Dkairos.url="$url" -Dkairos.models=mlp \
  -Dkairos.seconds="${SMOKE_SECONDS:-10}" -Dkairos.rampSeconds="${SMOKE_RAMP_SECONDS:-10}" \
  -Dkairos.rate="${SMOKE_RATE:-20}" "$@" \
  || { echo "gatling smoke: FAILED (kairos serve log follows)" >&2; tail -n 50 "$log" >&2; exit 1; }
echo "gatling smoke: passed"
