#!/usr/bin/env bash
# Schemathesis (property-based API testing from /openapi.json) against a real `tether serve` started here on a free
# port in a temporary data directory, with every check (`--checks all`): twice, without API keys and with an admin
# key. Fails on any server error (5xx), undocumented status, content type or schema mismatch. Issue #12, item 10.
# Bounded run time: SCHEMATHESIS_MAX_EXAMPLES examples per operation (default 25) and --max-time per run.
# One check is left out: positive_data_acceptance expects every schema-valid request to succeed, but some inputs are
# refused on meaning, not shape, and rightly so (a `cursor` this server never issued, GET /ws without a WebSocket
# upgrade, a hook whose session_id is not a valid session id): those answer a documented 400.
set -euo pipefail
cd "${TETHER_ROOT:-$(dirname "$0")/../..}"
ROOT="$PWD"
VENV="$ROOT/.venv"
(
  flock 9
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  [ -x "$VENV/bin/schemathesis" ] || "$VENV/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4.32,<5'
) 9>/tmp/tether-pip.lock

MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-25}"
MAX_TIME="${SCHEMATHESIS_MAX_TIME:-150}"
KEY="schemathesis-admin-key"
DATA="$(mktemp -d "${TMPDIR:-/tmp}/tether-schemathesis-XXXXXX")"
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT

# Starts `tether serve` (extra environment as arguments) on a free port; sets PORT and PID.
serve() {
  PORT="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  rm -rf "$DATA"/* 2>/dev/null || true
  env "$@" node packages/cli/dist/bin.js serve --port "$PORT" --data-dir "$DATA" --no-dashboard --log-level error &
  PID=$!
  for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "35-schemathesis: tether serve did not become ready" >&2
  return 1
}

stop() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  PID=""
}

run() {
  local label="$1"; shift
  echo "35-schemathesis: $label"
  "$VENV/bin/schemathesis" --no-color run "http://127.0.0.1:$PORT/openapi.json" --checks all \
    --max-examples "$MAX_EXAMPLES" --max-time "$MAX_TIME" --workers 1 --seed 12 --request-timeout 60 \
    --generation-deterministic --warnings off --exclude-checks positive_data_acceptance "$@" || FAILED=1
}
FAILED=0

serve TETHER_API_KEYS=
run "without API keys"
stop

serve TETHER_API_KEYS="$KEY:admin"
run "with an admin key" -H "Authorization: Bearer $KEY"
stop
[ "$FAILED" -eq 0 ] || { echo "35-schemathesis: failures above" >&2; exit 1; }
echo "35-schemathesis: 0 failures (no server errors, no undocumented statuses)"
