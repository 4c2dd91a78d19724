#!/usr/bin/env bash
# Arbiter acquire+release round trip over its Unix domain socket (docs/BENCHMARKS.md).
#   tools/bench/multiplexer/roundtrip.sh [--rounds 5] [--iterations 20000] [--policy deadline]
set -euo pipefail
cd "$(dirname "$0")/../../.."
[ -f cli/target/kairos-cli.jar ] || mvn -B -q -DskipTests -Dspotless.check.skip=true -pl cli -am package
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "cli/target/kairos-cli.jar:cli/target/lib/*" tools/bench/multiplexer/RoundTripBench.java "$@"
