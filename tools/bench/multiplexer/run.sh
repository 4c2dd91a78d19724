#!/usr/bin/env bash
# The shared-CPU-device experiment (docs/BENCHMARKS.md, "Device multiplexer").
#   tools/bench/multiplexer/run.sh [--rounds 3] [--seconds 15] [--warmup 5] [--light-rps 20] [--heavy-clients 2]
#       [--configs free-for-all,fifo,deadline,deadline+preempt,heavy-niced]   (light-alone and heavy-alone always run)
# Builds Kairos if needed, makes the ResNet-18 ONNX model on demand (Debian python3-torch) into the
# ignored tools/bench/models/, then measures light alone / heavy alone / free-for-all / FIFO /
# deadline-aware side by side and writes tools/bench/work/multiplexer-shared-device.md.
set -euo pipefail
cd "$(dirname "$0")/../../.."
HEAVY=tools/bench/models/mux-resnet18
[ -f "$HEAVY/1/model.onnx" ] || /usr/bin/python3 tools/bench/multiplexer/make_resnet.py "$HEAVY" resnet18
[ -f cli/target/kairos-cli.jar ] || mvn -B -q -DskipTests -Dspotless.check.skip=true -pl cli -am package
mkdir -p tools/bench/work
OUT=tools/bench/work/multiplexer-shared-device.md
{
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  java -cp "cli/target/kairos-cli.jar:cli/target/lib/*" tools/bench/multiplexer/SharedDeviceBench.java \
    --heavy "$HEAVY" --light examples/models/mlp "$@"
  echo
  echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT"
