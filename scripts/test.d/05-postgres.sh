#!/usr/bin/env bash
# Makes a real PostgreSQL ready for the PostgreSQL adapter's tests (packages/server/test/store-postgres.test.ts, run by
# step 10): installs Debian's postgresql when it is missing, starts the cluster when it is down, and creates the role
# `tether` (password `tether`) and the database `tether_test` when they are missing. Exits non-zero when PostgreSQL
# cannot be made ready: those tests fail (they never skip) without it.
# Tests read TETHER_TEST_DATABASE_URL (default postgres://tether:tether@127.0.0.1:5432/tether_test); when it is set to
# another server, this step only checks that it answers.
set -euo pipefail
cd "${TETHER_ROOT:-$(dirname "$0")/../..}"

DEFAULT_URL="postgres://tether:tether@127.0.0.1:5432/tether_test"
URL="${TETHER_TEST_DATABASE_URL:-$DEFAULT_URL}"

if [ "$URL" != "$DEFAULT_URL" ]; then
  psql "$URL" -Atqc 'SELECT 1' >/dev/null || { echo "05-postgres: TETHER_TEST_DATABASE_URL does not answer" >&2; exit 1; }
  echo "05-postgres: using TETHER_TEST_DATABASE_URL"
  exit 0
fi

# Debian's server package (a fresh machine may not have it).
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  (
    flock 9
    if ! command -v pg_lsclusters >/dev/null 2>&1; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    fi
  ) 9>/tmp/tether-apt.lock
fi

# The first cluster listed (Debian creates `15 main` on install); start it when it is down.
read -r VER CLUSTER PORT STATUS _ < <(pg_lsclusters --no-header | head -n 1) || { echo "05-postgres: no PostgreSQL cluster (pg_lsclusters lists none)" >&2; exit 1; }
if [ "$STATUS" != "online" ]; then
  pg_ctlcluster "$VER" "$CLUSTER" start
fi
if [ "$PORT" != "5432" ]; then
  echo "05-postgres: cluster $VER/$CLUSTER listens on $PORT, not 5432; set TETHER_TEST_DATABASE_URL" >&2
  exit 1
fi

for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$PORT" && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$PORT" || { echo "05-postgres: PostgreSQL on 127.0.0.1:$PORT is not ready" >&2; exit 1; }

su_psql() { runuser -u postgres -- psql -p "$PORT" -v ON_ERROR_STOP=1 -Atq "$@"; }
if [ "$(su_psql -c "SELECT 1 FROM pg_roles WHERE rolname = 'tether'")" != "1" ]; then
  su_psql -c "CREATE ROLE tether LOGIN PASSWORD 'tether'"
fi
if [ "$(su_psql -c "SELECT 1 FROM pg_database WHERE datname = 'tether_test'")" != "1" ]; then
  su_psql -c "CREATE DATABASE tether_test OWNER tether"
fi
# The tests make a schema per test: the role needs CREATE on the database (it owns it when created here).
su_psql -c "GRANT CREATE ON DATABASE tether_test TO tether"

PGPASSWORD=tether psql "$URL" -Atqc 'SELECT 1' >/dev/null || { echo "05-postgres: cannot log in as tether to tether_test" >&2; exit 1; }

# Schemas left by test or bench processes that died (named tether_t<pid>_… / tether_bench_<pid>_…): drop those whose
# process is gone, never one of a run still going.
for schema in $(su_psql -d tether_test -c "SELECT nspname FROM pg_namespace WHERE nspname ~ '^tether_(t|bench_)[0-9]+_'"); do
  pid="$(sed -E 's/^tether_(t|bench_)([0-9]+)_.*/\2/' <<<"$schema")"
  kill -0 "$pid" 2>/dev/null || su_psql -d tether_test -c "DROP SCHEMA \"$schema\" CASCADE" >/dev/null
done
echo "05-postgres: PostgreSQL $VER/$CLUSTER ready at 127.0.0.1:$PORT (database tether_test, role tether)"
