#!/usr/bin/env bash
# Installs the system packages and npm dependencies the tests need, then builds the TypeScript packages.
set -euo pipefail
cd "${TETHER_ROOT:-$(dirname "$0")/../..}"
bash scripts/setup.sh
