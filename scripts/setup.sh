#!/usr/bin/env bash
# Installs what Tether needs on a fresh clone: npm packages (better-sqlite3 builds from source with node-gyp,
# using Node's headers via .npmrc nodedir=/usr), then builds the packages and the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
if [ -f packages/dashboard/package.json ] && grep -q '"build"' packages/dashboard/package.json; then
  npm run build -w @tether/dashboard
fi
