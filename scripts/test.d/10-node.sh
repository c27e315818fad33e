#!/usr/bin/env bash
# Node's test runner over every package's test/ folder: real servers on ephemeral ports, real SQLite files.
set -euo pipefail
cd "${TETHER_ROOT:-$(dirname "$0")/../..}"
node --import tsx --test --test-concurrency=1 --test-reporter=spec 'packages/*/test/**/*.test.ts'
