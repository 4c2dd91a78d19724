#!/usr/bin/env bash
# The generative engine's benchmarks on the GPT-2-small-sized model (docs/BENCHMARKS.md,
# "Generative engine"). Usage: tools/bench/generative/run.sh engine|ttft|prefix|profile|layout|replay|stream [ROUNDS]
# Builds the model on demand (tools/models/make_gpt2.py small, again when the script changed) and needs `mvn -pl cli -am package`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$ROOT"
MODEL=tools/models/out/gpt2-small
# Made again when the export script is newer than the model (its signature may have changed).
[ $MODEL/1/model.onnx -nt tools/models/make_gpt2.py ] || /usr/bin/python3 tools/models/make_gpt2.py small $MODEL
WORK=tools/bench/work/generative/$$
OUT=$WORK/classes
mkdir -p $OUT $WORK/lib
# A copy of the jars and of the engine's classes: a build during a long run cannot change them.
cp cli/target/lib/*.jar $WORK/lib/
cp -r generative/target/classes $WORK/generative
trap 'rm -rf $WORK' EXIT
javac -d $OUT -cp "$WORK/generative:$WORK/lib/*" tools/bench/generative/*.java
CP="$WORK/generative:$WORK/lib/*:$OUT"
# BENCH_JVM_OPTS: extra JVM flags (e.g. a GC log: -Xlog:gc:file=gc.log)
JAVA=(java -Xmx2g -XX:MaxDirectMemorySize=4g ${BENCH_JVM_OPTS:-} -cp "$CP")
what=${1:-engine}
rounds=${2:-5}
case $what in
  engine|ttft|prefix|layout) "${JAVA[@]}" GenerativeBench "$what" $MODEL/1/model.onnx "$rounds" ;;
  profile)
    # ONNX Runtime's profile of the prefix bench's calls (warm 64, cold 512, decode), split by operator
    "${JAVA[@]}" GenerativeBench profile $MODEL/1/model.onnx "$rounds" tools/bench/work/generative/ort-profile-$$
    /usr/bin/python3 tools/bench/generative/profile.py tools/bench/work/generative/ort-profile-$$.json "$rounds" ;;
  stream) /usr/bin/python3 tools/bench/generative/stream.py "$rounds" ;;
  replay)
    # N PROMPT_DIV OUTPUT_DIV RATE CAP SLO_MS CHUNK, see Replay.java
    "${JAVA[@]}" GenerativeBench replay $MODEL/1/model.onnx \
      ../shared/data/traces/azure-llm-2023-conv/conversation.csv "$rounds" ${REPLAY:-48 64 2 3 16 250,500,1000 64} ;;
  *) echo "unknown: $what" >&2; exit 2 ;;
esac
