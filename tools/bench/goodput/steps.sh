#!/usr/bin/env bash
# Per-step cost of two exports (e.g. main's and this branch's make_gpt2.py output) side by side in
# one process: rows x past x prompt chunk, wall and CPU ms. Usage: steps.sh OLD.onnx NEW.onnx REPS
# Needs generative/target/classes and cli/target/lib (mvn -pl cli -am package).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
OUT=$(mktemp -d)
trap 'rm -rf $OUT' EXIT
CP="$ROOT/generative/target/classes:$ROOT/cli/target/lib/*"
javac -d "$OUT" -cp "$CP" "$ROOT/tools/bench/goodput/StepCost.java"
java -Xmx2g -XX:MaxDirectMemorySize=6g -cp "$CP:$OUT" StepCost "$1" "$2" "${3:-4}"
