#!/usr/bin/env bash
# Browser tests of the operator console (console.test.mjs): Playwright (npm playwright-core, pinned
# in package-lock.json) driving Debian's Chromium headless against `kairos serve --console`.
# Installs Chromium (apt) and playwright-core (npm ci) when missing; needs a built Kairos
# (cli/target/kairos-cli.jar: `mvn -B verify` or `./kairos` builds it). Screenshots land in
# tools/console/target/screenshots. Set KAIROS_SKIP_BUILD=0 to let ./kairos rebuild first.
set -euo pipefail
cd "$(dirname "$0")"
CHROMIUM="${CHROMIUM:-/usr/lib/chromium/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; }) \
      >/dev/null || { echo "console browser tests: SKIPPED (apt could not install chromium)" >&2; exit 0; }
  else
    echo "console browser tests: SKIPPED (no $CHROMIUM; apt-get install -y chromium as root)" >&2
    exit 0
  fi
fi
if ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -q nodejs npm >/dev/null \
      || { echo "console browser tests: SKIPPED (apt could not install nodejs npm)" >&2; exit 0; }
  else
    echo "console browser tests: SKIPPED (no node/npm)" >&2
    exit 0
  fi
fi
if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund --loglevel=error \
    || { echo "console browser tests: SKIPPED (npm ci could not install playwright-core)" >&2; exit 0; }
fi
export CHROMIUM
# Knob changes are written into the models' model.yaml: serve a copy, so the checkout stays clean.
if [ -z "${MODELS:-}" ]; then
  rm -rf target/models && mkdir -p target && cp -r ../../examples/models target/models
  export MODELS="$PWD/target/models"
fi
exec node console.test.mjs
