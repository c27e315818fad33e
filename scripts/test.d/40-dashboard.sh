#!/usr/bin/env bash
# Dashboard browser tests: real `tether serve` with the built dashboard, real headless Chromium (Debian's package, driven
# by playwright-core; `npx playwright install` cannot download here). Installs chromium when missing, builds the
# dashboard when needed, runs packages/dashboard/test/*.browser.ts. Screenshots land in artifacts/dashboard/.
set -euo pipefail
cd "${TETHER_ROOT:-$(dirname "$0")/../..}"
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "40-dashboard: installing chromium (Debian package)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ ! -f packages/dashboard/dist/index.html ] || [ -n "$(find packages/dashboard/src packages/dashboard/index.html -newer packages/dashboard/dist/index.html -print -quit)" ]; then
  npm run build -w @tether/dashboard
fi
node --import tsx --test --test-concurrency=1 --test-reporter=spec packages/dashboard/test/*.browser.ts
