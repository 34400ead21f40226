#!/usr/bin/env bash
# Takes the screenshots the README shows anew: runs the demo's smoke run (a screenshot per step in
# test-artifacts/demo/), the walkthrough and the decision-log test in a real VS Code, and copies their
# pictures into docs/images/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-e2e.sh
npm run --silent package >/dev/null
node --import tsx scripts/demo.ts --smoke
node --import tsx --test --test-concurrency=1 test/e2e/walkthrough.e2e.test.ts test/e2e/memory.e2e.test.ts
mkdir -p docs/images
cp test-artifacts/demo/05-a-live-cell-in-the-conflict-matrix.png docs/images/demo-live-matrix.png
cp test-artifacts/e2e/walkthrough-4-plan.png docs/images/walkthrough-plan.png
cp test-artifacts/e2e/walkthrough-7-land.png docs/images/walkthrough-done.png
cp test-artifacts/e2e/memory-1-decision-log.png docs/images/decision-log.png
echo "[refresh-screenshots] docs/images/ updated"
