#!/usr/bin/env bash
# kairos tune on one profiled model under bursty arrivals: searching the scaling knobs alone against
# searching them together with the batching knobs, at the same SLO and replay budget.
#
#   tools/bench/tune/batching.sh [SEEDS]     (default "1 2 3": search seeds, one pair of searches each)
#
# The model is a copy of examples/models/cnn with a model.yaml that lets it scale to 16 replicas,
# profiled on this machine by `kairos profile` (batch 1..32). The trace (tools/bench/tune/bursty.py):
# 20 minutes of Poisson arrivals at 1,500/s with a 3-second burst at 15,000/s every minute. The SLO:
# latency (wait + batch) <= 100 ms for 99 % of requests; starts a fixed 1 s. Both searches get the
# same scaling ranges (minReplicas up to 8, so scaling alone can keep enough replicas warm for a
# burst) and the same budget. Outputs and logs go to tools/bench/work/tune-batching/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
SEEDS="${1:-1 2 3}"
WORK="$ROOT/tools/bench/work/tune-batching"
rm -rf "$WORK" && mkdir -p "$WORK/models"
cd "$ROOT"
[ "${KAIROS_SKIP_BUILD:-}" = 1 ] || ./kairos --version >/dev/null
export KAIROS_SKIP_BUILD=1

cp -r examples/models/cnn "$WORK/models/cnn"
printf 'name: cnn\nengine: onnxruntime\nscaling: {minReplicas: 0, maxReplicas: 16, targetConcurrency: 8}\n' \
  > "$WORK/models/cnn/model.yaml"
./kairos profile --batch-sizes 1,2,4,8,16,32 --iterations 200 "$WORK/models/cnn" > "$WORK/profile.out"
python3 tools/bench/tune/bursty.py "$WORK/bursty.csv" > /dev/null

SCALING=(--knob minReplicas=0..8 --knob targetUtilizationPercentage=30..100
  --knob panicThresholdPercentage=110..400 --knob stableWindow=10s..5m --knob scaleToZeroAfter=0s..30m)
BATCHING=(--knob maxBatchSize=1..32 --knob maxQueueDelay=0s..10ms)
COMMON=(--trace "$WORK/bursty.csv" --models "$WORK/models" --starts fixed --cold-start 1s
  --slo-latency 100ms --attainment 99% --budget 30 --top 1)

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
sed 's/^/    /' "$WORK/profile.out"
echo
echo "| search seed | knobs searched | attainment | replica-seconds | vs current | setting |"
echo "|---|---|---|---|---|---|"
for seed in $SEEDS; do
  ./kairos tune "${COMMON[@]}" --search-seed "$seed" "${SCALING[@]}" > "$WORK/alone-$seed.out" 2> "$WORK/alone-$seed.err"
  ./kairos tune "${COMMON[@]}" --search-seed "$seed" "${SCALING[@]}" "${BATCHING[@]}" > "$WORK/together-$seed.out" 2> "$WORK/together-$seed.err"
  for kind in alone together; do
    # the model's two rows: "cnn current ATT RS COLD (current)" then "recommended ATT RS COLD KNOBS"
    awk -v seed="$seed" -v kind="$kind" '
      $1 == "cnn" && $2 == "current" { cur = $4 }
      $1 == "recommended" && NF >= 5 && $2 ~ /%$/ && cur != "" {
        printf "| %s | %s | %s | %s | %+.1f%% | %s |\n", seed,
          (kind == "alone" ? "scaling" : "scaling + batching"), $2, $3, ($3 / cur - 1) * 100, $5 }
    ' "$WORK/$kind-$seed.out"
  done
done
echo
echo "current (model.yaml as above): $(awk '$1 == "cnn" && $2 == "current" {print $3, "at", $4, "replica-seconds"}' "$WORK/alone-${SEEDS%% *}.out")"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
