#!/usr/bin/env bash
# The full test suite: type check, build, unit + integration tests, then the real-VS-Code
# end-to-end tests (which install code-server and Chromium through scripts/setup-e2e.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== type check"
npx tsc --noEmit -p .
echo "== build"
node esbuild.mjs
export LOCKSTEP_SKIP_BUILD=1

shopt -s nullglob
unit=(test/unit/*.test.ts test/integration/*.test.ts)
echo "== unit and integration tests (${#unit[@]} files)"
node --import tsx --test --test-concurrency=2 "${unit[@]}"

if [ "${LOCKSTEP_SKIP_E2E:-}" = "1" ]; then
  echo "== end-to-end tests skipped (LOCKSTEP_SKIP_E2E=1)"
else
  echo "== end-to-end tests in a real VS Code (code-server + Chromium)"
  bash scripts/test-e2e.sh
fi
