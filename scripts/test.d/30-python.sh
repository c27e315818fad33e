#!/usr/bin/env bash
# Python SDK (python/): installs it with its test and mcp extras into $TETHER_ROOT/.venv, then ruff, mypy --strict and pytest.
# The tests start real Tether servers (node packages/cli/dist/bin.js serve, built by 00-setup.sh) on free ports.
set -euo pipefail
cd "${TETHER_ROOT:-$(dirname "$0")/../..}"
ROOT="$PWD"
VENV="$ROOT/.venv"
(
  flock 9
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -e "$ROOT/python[test,mcp,langgraph-test]"
) 9>/tmp/tether-pip.lock
cd python
"$VENV/bin/ruff" check src tests
"$VENV/bin/ruff" format --check src tests
"$VENV/bin/mypy" --strict
mkdir -p "$ROOT/artifacts"
set +e
"$VENV/bin/pytest" -q -p no:cacheprovider --junitxml="$ROOT/artifacts/python-junit.xml" "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$rc"
