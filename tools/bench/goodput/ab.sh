#!/usr/bin/env bash
# The goodput replay (tools/bench/generative/run.sh replay) side by side on two checkouts, one
# round each in turn (BASE first), each round under the bench lock with `uptime` before and after.
# Usage: tools/bench/goodput/ab.sh BASE_CHECKOUT NEW_CHECKOUT ROUNDS LOG
# Each checkout needs its generative classes and cli/target/lib (see run.sh); REPLAY as in run.sh.
# Summarize with: tools/bench/goodput/compare.py LOG
set -euo pipefail
base=$1 new=$2 rounds=$3 log=$4
export REPLAY=${REPLAY:-96 64 2 8 16 250,500,1000 64}
for r in $(seq 1 "$rounds"); do
  for side in base new; do
    dir=$base
    [ $side = new ] && dir=$new
    {
      echo "side=$side round=$r start $(date -u +%H:%M:%S) $(uptime)"
      (cd "$dir" && flock /tmp/kairos-bench.lock tools/bench/generative/run.sh replay 1) 2>&1 \
        | grep -E '^(bench|round)=' | sed "s/^round=1 /side=$side round=$r /"
      echo "side=$side round=$r end $(date -u +%H:%M:%S) $(uptime)"
    } >> "$log"
  done
done
