#!/usr/bin/env bash
# The full test suite: type check, build, unit + integration tests, the real agent CLIs, then the
# real-VS-Code end-to-end tests (which install code-server and Chromium through scripts/setup-e2e.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== redis-server for the team-store tests"
bash scripts/setup-redis.sh
echo "== type check"
npx tsc --noEmit -p .
echo "== build"
node esbuild.mjs
export LOCKSTEP_SKIP_BUILD=1

# A stage that hangs fails by name, well inside CI's budget, instead of eating the whole run. Each test
# also has a time limit, so an async hang names the test; the stage limit catches a blocked event loop.
stage() {
  local name=$1 limit=$2
  shift 2
  local rc=0
  timeout -k 15 "$limit" "$@" || rc=$?
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then echo "the $name stage did not finish within ${limit}s" >&2; fi
  return "$rc"
}

shopt -s nullglob
unit=(test/unit/*.test.ts test/integration/*.test.ts)
echo "== unit and integration tests (${#unit[@]} files)"
stage "unit and integration" 2400 node --import tsx --test --test-concurrency=2 --test-timeout=300000 "${unit[@]}"

real=(test/realAgents/*.real.test.ts)
if [ "${LOCKSTEP_SKIP_REAL_AGENTS:-}" = "1" ]; then
  echo "== real agents skipped (LOCKSTEP_SKIP_REAL_AGENTS=1)"
else
  # The agent CLIs are pinned dev dependencies; each runs offline against test/realAgents/modelServer.ts.
  for cli in claude codex gemini copilot; do
    [ -x "node_modules/.bin/$cli" ] || { echo "the $cli CLI is not installed (node_modules/.bin/$cli): run npm ci" >&2; exit 1; }
  done
  echo "== real agents: Claude Code, Codex, Gemini CLI, Copilot CLI against a scripted model (${#real[@]} files)"
  stage "real agents" 900 node --import tsx --test --test-concurrency=2 --test-timeout=300000 "${real[@]}"
fi

if [ "${LOCKSTEP_SKIP_E2E:-}" = "1" ]; then
  echo "== end-to-end tests skipped (LOCKSTEP_SKIP_E2E=1)"
else
  echo "== end-to-end tests in a real VS Code (code-server + Chromium)"
  stage "end-to-end" 1500 bash scripts/test-e2e.sh
fi
