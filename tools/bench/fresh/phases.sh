#!/bin/bash
# Where a fresh ResNet-18 replica's start goes, phase by phase: N starts as coldstart.py makes them
# (probe.py), each with its class loading and the JVM's start logged; prints per start the time to
# ready and to the first answer, the CPU per thread, the JVM's start phases, and when the first
# class of each later phase loaded (seconds since the JVM started), and how many classes came from
# the class-data archive.
#
#   flock /tmp/kairos-bench.lock tools/bench/fresh/phases.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for _ in $(seq "${1:-3}"); do
  /usr/bin/python3 tools/bench/fresh/probe.py --n 1 --threads --show \
    --jvm="-Xlog:class+load:file=$work/classes.txt:uptime -Xlog:startuptime:file=$work/start.txt:uptime" \
    > "$work/probe.txt"
  head -2 "$work/probe.txt"
  grep -E "Genesis|Initialize module|Create VM" "$work/start.txt" | tr '\n' ' '
  echo
  for c in 'dev.kairos.runtime.RuntimeMain ' 'dev.kairos.runtime.ModelStart ' \
      'com.fasterxml.jackson.dataformat.yaml.YAMLMapper ' 'dev.kairos.runtime.engine.EngineRegistry ' \
      'ai.onnxruntime.OrtSession ' 'dev.kairos.runtime.core.InferenceService ' \
      'ch.qos.logback.classic.LoggerContext ' 'dev.kairos.runtime.NettyWarmUp ' \
      'dev.kairos.runtime.StandbyServer ' 'io.vertx.core.Vertx ' 'dev.kairos.sdk.oip.RequestedOutput ' \
      'ai.onnxruntime.OrtSession\$Result '; do
    grep -m1 "$c" "$work/classes.txt" | awk '{printf "%s %s | ", $1, $2}'
  done
  echo
  grep -E "serving on port" "$work/probe.txt" | awk '{print "ready log line at", $1, "s (the reader'"'"'s clock)"}'
  echo "classes: $(grep -c 'shared objects file' "$work/classes.txt") from the archive," \
    "$(grep -vc 'shared objects file' "$work/classes.txt") not"
done
