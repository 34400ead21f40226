#!/usr/bin/env bash
# Takes the walkthrough screenshots the README shows anew: walks the walkthrough in a real VS Code and
# copies its pictures into docs/images/. (docs/images/demo-live-matrix.png comes from the plan-running
# demo, which is not on main yet; it is left as it is.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-e2e.sh
npm run --silent package >/dev/null
node --import tsx --test test/e2e/screenshots/walkthrough.screenshots.ts
mkdir -p docs/images
cp test-artifacts/e2e/walkthrough-4-plan.png docs/images/walkthrough-plan.png
cp test-artifacts/e2e/walkthrough-7-land.png docs/images/walkthrough-done.png
echo "[refresh-screenshots] docs/images/ updated"
