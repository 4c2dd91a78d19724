#!/usr/bin/env bash
# Fleet study of placement on the Azure Functions 2019 trace (docs/BENCHMARKS.md, "Placement drives serving").
#   tools/bench/placement/fleet.sh [--rate-scale 20] [--models 100] [--minutes 30] [--light-profile MODEL_DIR]
# Every placement goes through ServingPlacement, the object kairos serve asks for each replica.
# Trace: Shahrad et al., "Serverless in the Wild", USENIX ATC 2020 (CC-BY 4.0), 1000-function
# sample by vHive invitro; read from $KAIROS_TRACE (default ../shared/data/traces/azure-functions-2019).
set -euo pipefail
cd "$(dirname "$0")/../../.."
TRACE="${KAIROS_TRACE:-../shared/data/traces/azure-functions-2019}"
[ -f cli/target/kairos-cli.jar ] || mvn -B -q -DskipTests -Dspotless.check.skip=true -pl cli -am package
java -cp "cli/target/kairos-cli.jar:cli/target/lib/*" tools/bench/placement/FleetStudy.java \
  --trace "$TRACE" "$@"
