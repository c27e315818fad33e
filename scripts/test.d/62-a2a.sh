#!/usr/bin/env bash
# A2A session continuity (docs/a2a.md): installs the Python SDK with its a2a extra and the reference runtime's pinned
# requirements, then runs e2e/a2a/break-matrix.ts: `tether canary a2a` against examples/a2a-agent healthy and broken on
# purpose (--break key-by-task-id | in-memory-store | drop-file-only | no-memory | shared-context), checking that exactly
# the right canary fails each time over both wire versions. Artifacts in artifacts/a2a-canary/<mode>/.
set -euo pipefail
cd "${TETHER_ROOT:-$(dirname "$0")/../..}"
ROOT="$PWD"
VENV="$ROOT/.venv"
(
  flock 9
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -e "$ROOT/python[a2a]" -r examples/a2a-agent/requirements.txt
) 9>/tmp/tether-pip.lock
if [ ! -f packages/cli/dist/bin.js ]; then bash scripts/setup.sh; fi
status=0
node_modules/.bin/tsc -p e2e/tsconfig.json || status=1
"$VENV/bin/ruff" check --config examples/ruff.toml examples/a2a-agent || status=1
TETHER_PYTHON="$VENV/bin/python" node --import tsx e2e/a2a/break-matrix.ts --out "$ROOT/artifacts/a2a-canary" || status=1
exit "$status"
