#!/usr/bin/env bash
# Fleet simulation of device sharing on the Azure Functions 2019 trace (docs/BENCHMARKS.md).
# The study moved to tools/bench/placement (it runs serving's placement code); this name stays.
exec "$(dirname "$0")/../placement/fleet.sh" "$@"
