#!/usr/bin/env bash
# Node's test runner over every package's test/ folder: real servers on ephemeral ports, real SQLite files.
# (Node 20's --test does not expand globs itself, so bash does.)
set -euo pipefail
cd "${TETHER_ROOT:-$(dirname "$0")/../..}"
shopt -s globstar nullglob
files=(packages/*/test/**/*.test.ts)
if ((${#files[@]} == 0)); then echo "no test files found" >&2; exit 1; fi
echo "running ${#files[@]} test files"
TETHER_CHECK_RESPONSES=1 node --import tsx --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout "${files[@]}"
