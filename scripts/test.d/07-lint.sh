#!/usr/bin/env bash
# Formatter and linter of the TypeScript, TSX and CSS sources (Biome, pinned in the root package.json; config in
# biome.json: 120 columns, single quotes, trailing commas). Fails on unformatted files and on lint errors; a11y
# findings in the dashboard are reported as warnings. `npm run format` rewrites the files; Python is ruff's (30-python).
set -euo pipefail
cd "${TETHER_ROOT:-$(dirname "$0")/../..}"
npx --no-install biome check --diagnostic-level=error .
