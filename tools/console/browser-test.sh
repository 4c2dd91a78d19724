#!/usr/bin/env bash
# Browser tests of the operator console (console.test.mjs): Playwright (npm playwright-core, pinned
# in package-lock.json) driving Debian's Chromium headless against `kairos serve --console`.
# Installs Chromium (apt) and playwright-core (npm ci) when missing (as root), and fails with a
# message where it cannot: a check that did not run is a failure, never a pass. Needs a built Kairos
# (cli/target/kairos-cli.jar: `mvn -B verify` or `./kairos` builds it). Screenshots land in
# tools/console/target/screenshots. Set KAIROS_SKIP_BUILD=0 to let ./kairos rebuild first.
set -euo pipefail
cd "$(dirname "$0")"
# A check that did not run is a failure, locally and under CI alike.
cannot_run() {
  echo "console browser tests: FAILED: $1 (the browser tests could not run)" >&2
  exit 1
}
CHROMIUM="${CHROMIUM:-/usr/lib/chromium/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; }) \
      >/dev/null || cannot_run "apt could not install chromium"
  fi
  [ -x "$CHROMIUM" ] || cannot_run "no $CHROMIUM; apt-get install -y chromium as root"
fi
if ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -q nodejs npm >/dev/null || cannot_run "apt could not install nodejs npm"
  else
    cannot_run "no node/npm"
  fi
fi
if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund --loglevel=error || cannot_run "npm ci could not install playwright-core"
fi
export CHROMIUM
# Knob changes are written into the models' model.yaml: serve a copy, so the checkout stays clean.
if [ -z "${MODELS:-}" ]; then
  rm -rf target/models && mkdir -p target && cp -r ../../examples/models target/models
  export MODELS="$PWD/target/models"
fi
exec node console.test.mjs
