#!/usr/bin/env bash
# Several Tether servers behind a real HAProxy on one PostgreSQL (scripts/scale-local.sh, installs haproxy when
# missing): writers and live subscribers through the balancer, kill -9 of one server mid-run and its restart, every
# acknowledged write readable, every subscriber gapless and in order, a dashboard in Chromium behind the balancer
# (e2e/scale/run.ts; artifacts in artifacts/scale/). Uses ports 19300-19303 and a schema of its own, dropped after.
set -euo pipefail
cd "${TETHER_ROOT:-$(dirname "$0")/../..}"
ROOT="$PWD"

bash scripts/test.d/05-postgres.sh >/dev/null
if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM_PATH:-}" ]; then
  (
    flock 9
    if [ ! -x /usr/bin/chromium ]; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    fi
  ) 9>/tmp/tether-apt.lock
fi
if [ ! -f packages/cli/dist/bin.js ] || [ ! -f packages/dashboard/dist/index.html ]; then bash scripts/setup.sh; fi

SCHEMA="tether_t$$_scale"
export TETHER_SCALE_DIR="$ROOT/artifacts/scale/run"
export TETHER_SCALE_PORTS="19301 19302 19303"
export TETHER_SCALE_LB_PORT=19300
export TETHER_SCALE_DATABASE_URL="postgres://tether:tether@127.0.0.1:5432/tether_test?options=-c%20search_path%3D$SCHEMA"
export TETHER_SCALE_URL="http://127.0.0.1:$TETHER_SCALE_LB_PORT"
mkdir -p "$TETHER_SCALE_DIR"
PGPASSWORD=tether psql -h 127.0.0.1 -U tether -d tether_test -Atqc "CREATE SCHEMA $SCHEMA" >/dev/null
cleanup() {
  bash scripts/scale-local.sh stop || true
  PGOPTIONS=--client-min-messages=warning PGPASSWORD=tether psql -h 127.0.0.1 -U tether -d tether_test -Atqc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null || true
}
trap cleanup EXIT
bash scripts/scale-local.sh start >/dev/null
node --import tsx e2e/scale/run.ts
