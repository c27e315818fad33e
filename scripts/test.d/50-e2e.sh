#!/usr/bin/env bash
# End-to-end: the three example agents against a fresh `tether serve`, checked at the service, on the live feed and
# in the dashboard (e2e/run.ts, artifacts in artifacts/e2e/), then the self-test of the harness's checks.
# Runs on its own too (bash scripts/test.d/50-e2e.sh): installs what it needs if a previous step did not.
set -euo pipefail
cd "${TETHER_ROOT:-$(dirname "$0")/../..}"
ROOT="$PWD"
VENV="$ROOT/.venv"

# Python: the examples' pinned requirements and the SDK (step 30 installs python/ too; install it if it is missing).
(
  flock 9
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r examples/customer-comm/requirements.txt -r examples/email-solver/requirements.txt
  "$VENV/bin/python" -c 'import hook_agent, tether' 2>/dev/null || "$VENV/bin/pip" install --quiet --disable-pip-version-check -e "$ROOT/python"
) 9>/tmp/tether-pip.lock

# The built CLI and dashboard (step 00 builds them; build here when run alone).
if [ ! -f packages/cli/dist/bin.js ] || { [ -f packages/dashboard/package.json ] && grep -q '"build"' packages/dashboard/package.json && [ ! -f packages/dashboard/dist/index.html ]; }; then
  bash scripts/setup.sh
fi

# Chromium for the dashboard screenshot (Debian's package; playwright-core drives it).
if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM_PATH:-}" ]; then
  (
    flock 9
    if [ ! -x /usr/bin/chromium ]; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    fi
  ) 9>/tmp/tether-apt.lock
fi

export TETHER_PYTHON="$VENV/bin/python"
status=0
node_modules/.bin/tsc -p e2e/tsconfig.json || status=1
if [ -x "$VENV/bin/ruff" ]; then "$VENV/bin/ruff" check --config examples/ruff.toml examples || status=1; fi
node --import tsx e2e/run.ts --out "$ROOT/artifacts/e2e" || status=1
node --import tsx --test --test-reporter=spec e2e/harness.test.ts || status=1
exit "$status"
