#!/usr/bin/env bash
# Heavy and light on one CPU device placed by kairos serve (docs/BENCHMARKS.md, "Placement drives serving").
#   tools/bench/placement/run.sh [--rounds 3] [--seconds 15] [--warmup 5] [--light-rps 20] [--heavy-clients 2]
#       [--modes weights,arbiter,off]   (light-alone and heavy-alone always run)
# Makes the ResNet-18 ONNX model on demand (Debian python3-torch) into the ignored tools/bench/models/,
# then writes tools/bench/work/placement-shared-cpu.md.
set -euo pipefail
cd "$(dirname "$0")/../../.."
HEAVY=tools/bench/models/mux-resnet18
[ -f "$HEAVY/1/model.onnx" ] || /usr/bin/python3 tools/bench/multiplexer/make_resnet.py "$HEAVY" resnet18
[ -f cli/target/kairos-cli.jar ] || mvn -B -q -DskipTests -Dspotless.check.skip=true -pl cli -am package
mkdir -p tools/bench/work
OUT=tools/bench/work/placement-shared-cpu.md
{
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  java -cp "cli/target/kairos-cli.jar:cli/target/lib/*" tools/bench/placement/PlacementBench.java \
    --heavy "$HEAVY" --light examples/models/mlp "$@"
  echo
  echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT"
