#!/usr/bin/env bash
# Coverage-guided fuzzing of the OIP JSON decoder, the binary tensor extension, the model.yaml
# parser and the gateway's reading of OpenAI bodies with Jazzer's standalone driver (libFuzzer
# inside), one target after the other.
#
#   tools/reliability/fuzz.sh [seconds-per-target] [target...]
#
# Default: 600 s for each of json, binary, yaml, openai. Each target starts from its kept inputs
# (sdk-java/src/test/resources/dev/kairos/sdk/fuzz/*Inputs/, and gateway's .../gateway/fuzz/ for
# openai, replayed by every `mvn test`) and
# grows a working corpus under tools/reliability/work/fuzz/<target>/ (not committed). A finding
# (crash-*) is written to that folder; copy it into the kept inputs so CI replays it forever.
# Prints libFuzzer's final line per target (runs, cov, ft, corp) and a summary table.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(json binary yaml openai)

# One reactor run: the gateway's class path names its sibling modules' target/classes.
mvn -B -q -pl gateway -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/fuzz.classpath -Dspotless.check.skip=true >/dev/null
work=tools/reliability/work/fuzz
summary=()
for t in "${targets[@]}"; do
  module=sdk-java; pkg=dev.kairos.sdk.fuzz
  case "$t" in
    json) class=OipJsonFuzzTest; method=decodeRequest; dict=oip.dict ;;
    binary) class=OipBinaryFuzzTest; method=decodeBinaryRequest; dict=oip.dict ;;
    yaml) class=ModelYamlFuzzTest; method=parseModelYaml; dict=model-yaml.dict ;;
    openai) class=OpenAiBodyFuzzTest; method=readOpenAiBody; dict=openai.dict
      module=gateway; pkg=dev.kairos.gateway.fuzz ;;
    *) echo "unknown target $t (json, binary, yaml, openai)" >&2; exit 2 ;;
  esac
  res="$module/src/test/resources/${pkg//.//}"
  cp="$module/target/test-classes:$module/target/classes:$(cat "$module/target/fuzz.classpath")"
  mkdir -p "$work/$t"
  log="$work/$t.log"
  echo "== $t: $class for ${seconds}s (log: $log)"
  set +e
  java -Xmx1g -cp "$cp" com.code_intelligence.jazzer.Jazzer \
    --target_class="$pkg.$class" \
    --instrumentation_includes='dev.kairos.**' \
    --custom_hook_includes='dev.kairos.**' \
    "-dict=$res/$dict" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$work/$t/" -timeout=10 \
    "$work/$t" "$res/${class}Inputs/$method" >"$log" 2>&1
  rc=$?
  set -e
  final=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 || true)
  crashes=$(ls "$work/$t" | grep -c '^crash-' || true)
  runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  echo "   rc=$rc crashes=$crashes runs=${runs:-?} :: $final"
  summary+=("| $t | $class | ${seconds} | ${runs:-?} | $(echo "$final" | grep -oE 'cov: [0-9]+' | cut -d' ' -f2) | $(echo "$final" | grep -oE 'ft: [0-9]+' | cut -d' ' -f2) | $(echo "$final" | grep -oE 'corp: [0-9]+' | cut -d' ' -f2) | $crashes |")
done
echo
echo "| target | class | seconds | executions | cov (edges) | features | corpus | findings |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${summary[@]}"
