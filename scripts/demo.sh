#!/usr/bin/env bash
# The live demo: installs what it needs, builds and packages the extension, then runs scripts/demo.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/setup-e2e.sh
echo "[demo] building and packaging the extension"
npm run --silent package >/dev/null
exec node --import tsx scripts/demo.ts "$@"
