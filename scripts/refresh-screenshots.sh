#!/usr/bin/env bash
# Takes the README's screenshots anew: runs the demo's smoke run and the walkthrough end-to-end test in
# a real VS Code, then copies the pictures the README shows into docs/images/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-e2e.sh
npm run --silent package >/dev/null
node --import tsx scripts/demo.ts --smoke
node --import tsx --test test/e2e/walkthrough.e2e.test.ts
mkdir -p docs/images
cp test-artifacts/demo/05-a-live-cell-in-the-conflict-matrix.png docs/images/demo-live-matrix.png
cp test-artifacts/e2e/walkthrough-4-plan.png docs/images/walkthrough-plan.png
cp test-artifacts/e2e/walkthrough-7-land.png docs/images/walkthrough-done.png
echo "[refresh-screenshots] docs/images/ updated"
