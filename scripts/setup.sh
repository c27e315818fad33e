#!/usr/bin/env bash
# Installs what Tether needs on a fresh clone: npm packages (better-sqlite3 builds from source with node-gyp,
# using Node's headers via .npmrc nodedir=/usr), then builds the packages and the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
# npm links a workspace's bin only when its file exists, and on a fresh clone `npm ci` runs before the build made
# packages/cli/dist/bin.js: link it now, so `npx tether …` in the repository runs this CLI (node_modules/.bin/tether).
# tsc writes bin.js without the execute bit, and npm leaves an existing link alone: set the bit here.
chmod +x packages/cli/dist/bin.js
if [ ! -L node_modules/.bin/tether ]; then
  npm rebuild @tether/cli --ignore-scripts --no-audit --no-fund >/dev/null
fi
if [ -f packages/dashboard/package.json ] && grep -q '"build"' packages/dashboard/package.json; then
  npm run build -w @tether/dashboard
fi
