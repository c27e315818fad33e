#!/usr/bin/env bash
# The one command that installs everything the tests need and runs every test (the README's test command; CI runs it).
# Steps live in scripts/test.d/NN-name.sh and run in order; each must exit non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export TETHER_ROOT="$PWD"
mkdir -p artifacts
failed=()
for step in scripts/test.d/*.sh; do
  echo "==> ${step}"
  start=$SECONDS
  if ! bash "$step"; then failed+=("$step"); fi
  echo "<== ${step}: $((SECONDS - start)) s"
done
if ((${#failed[@]})); then
  echo "FAILED steps: ${failed[*]}" >&2
  exit 1
fi
echo "All test steps passed."
