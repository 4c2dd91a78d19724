#!/usr/bin/env bash
# kairos tune on the Azure Functions 2019 trace (1000 functions x 24 h): the search against
# Knative's defaults, against the hand-made "tuned" row of the simulate table, and against a grid
# search with the same replay budget. Prints a markdown table for docs/BENCHMARKS.md.
#
#   tools/bench/tune/run.sh [BUDGET]       (default 33 replays per model: 1 current + 32 grid points)
#
# Trace: $KAIROS_TRACE (default ../shared/data/traces/azure-functions-2019 next to the checkout).
# The SLO is the simulate table's (wait <= 100 ms), over all models' requests together, at least what
# Knative's defaults attain (--slo-scope fleet --attainment current); objective replica-seconds.
# Starts: the simulate table's replica model (--starts fixed --cold-start 1s: every start 1 s,
# however many at once, as on a cluster with room; 1,000 functions are not one 2-core machine's).
# Outputs and logs go to tools/bench/work/tune/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
BUDGET="${1:-33}"
TRACE="${KAIROS_TRACE:-$ROOT/../shared/data/traces/azure-functions-2019}"
WORK="$ROOT/tools/bench/work/tune"
mkdir -p "$WORK"
cd "$ROOT"
[ "${KAIROS_SKIP_BUILD:-}" = 1 ] || ./kairos --version >/dev/null
export KAIROS_SKIP_BUILD=1
TUNED="panicThresholdPercentage=150,scaleToZeroAfter=2m,targetUtilizationPercentage=72"
STARTS=(--starts fixed --cold-start 1s)

timed() { # name command... -> runs it, keeps stdout/stderr and "wall user sys" seconds
  local name="$1"; shift
  /usr/bin/time -f "%e %U %S" -o "$WORK/$name.time" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err"
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
timed simulate ./kairos simulate --trace "$TRACE" "${STARTS[@]}" --compare "$TUNED" --top 0
for method in evolution grid; do
  timed "$method" ./kairos tune --trace "$TRACE" "${STARTS[@]}" --slo-scope fleet --attainment current \
    --budget "$BUDGET" --method "$method" --top 3 --html "$WORK/$method.html"
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# simulate rows: "label requests SLO% p50 p99 replica-s cold reqs"
sim_row() { awk -v l="$1" '$1 == l {gsub("%","",$3); print $3, $6, $7}' "$WORK/simulate.out"; }
# tune totals: the "recommended" line of the all-models table
tune_row() {
  awk '$1 == "recommended" && !done {gsub("%","",$2); gsub(",","",$3); print $2, $3, $(NF-1); done=1}' \
    "$WORK/$1.out"
}
read -r d_slo d_rs d_cold < <(sim_row knative-defaults)
read -r t_slo t_rs t_cold < <(sim_row tuned)
read -r e_slo e_rs e_cold < <(tune_row evolution)
read -r g_slo g_rs g_cold < <(tune_row grid)
read -r e_wall e_user e_sys < "$WORK/evolution.time"
read -r g_wall g_user g_sys < "$WORK/grid.time"
e_replays="$(grep -o '[0-9]* replays (whole' "$WORK/evolution.out" | cut -d' ' -f1)"
g_replays="$(grep -o '[0-9]* replays (whole' "$WORK/grid.out" | cut -d' ' -f1)"

pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.1f%%", 100 * (a / b - 1)}'; }
pts() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.2f", a - b}'; }
fmt() { printf "%d" "${1%.*}" | rev | sed 's/[0-9]\{3\}/&,/g' | rev | sed 's/^,//'; }

cat <<TABLE
| setting | SLO attainment (all requests) | vs defaults | replica-seconds | vs defaults | cold starts |
|---|---|---|---|---|---|
| Knative defaults | ${d_slo}% | | $(fmt "$d_rs") | | $(fmt "$d_cold") |
| hand-made "tuned" ($TUNED) | ${t_slo}% | $(pts "$t_slo" "$d_slo") pts | $(fmt "$t_rs") | $(pct "$t_rs" "$d_rs") | $(fmt "$t_cold") |
| kairos tune, evolution, $BUDGET replays/model | ${e_slo}% | $(pts "$e_slo" "$d_slo") pts | $(fmt "$e_rs") | $(pct "$e_rs" "$d_rs") | $(fmt "$e_cold") |
| kairos tune, grid, $BUDGET replays/model | ${g_slo}% | $(pts "$g_slo" "$d_slo") pts | $(fmt "$g_rs") | $(pct "$g_rs" "$d_rs") | $(fmt "$g_cold") |

| search | replays (whole-trace equivalents) | wall | CPU (user + sys) |
|---|---|---|---|
| evolution | $e_replays | ${e_wall} s | $(awk -v u="$e_user" -v s="$e_sys" 'BEGIN {printf "%.0f", u + s}') s |
| grid | $g_replays | ${g_wall} s | $(awk -v u="$g_user" -v s="$g_sys" 'BEGIN {printf "%.0f", u + s}') s |

Load average (1, 5, 15 min) before: $load_before; after: $load_after; $(nproc) cores.
TABLE
