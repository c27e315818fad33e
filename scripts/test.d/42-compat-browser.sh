#!/usr/bin/env bash
# Prototype fidelity in a real browser (issue #11): a page that makes the prototype dashboard's calls, served from
# another origin, against a real `tether serve`, in headless Debian Chromium (playwright-core). Installs chromium when
# missing (as 40-dashboard does). Runs packages/server/test/compat/*.browser.ts.
set -euo pipefail
cd "${TETHER_ROOT:-$(dirname "$0")/../..}"
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "42-compat-browser: installing chromium (Debian package)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
node --import tsx --test --test-concurrency=1 --test-reporter=spec packages/server/test/compat/*.browser.ts
