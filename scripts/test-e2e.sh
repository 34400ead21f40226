#!/usr/bin/env bash
# Runs the real-VS-Code end-to-end tests: installs code-server and chromium if needed (fast when done),
# then every test/e2e/*.e2e.test.ts one file at a time. Screenshots land in test-artifacts/e2e/.
# Extra arguments go to node --test (e.g. --test-name-pattern=smoke).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup-e2e.sh
echo "[test-e2e] packaging dist/lockstep.vsix"
npm run --silent package >/dev/null
shopt -s nullglob
tests=(test/e2e/*.e2e.test.ts)
[ ${#tests[@]} -gt 0 ] || { echo "[test-e2e] no test/e2e/*.e2e.test.ts files" >&2; exit 1; }
exec node --import tsx --test --test-concurrency=1 "$@" "${tests[@]}"
