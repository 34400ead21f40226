#!/usr/bin/env bash
# Runs the real-VS-Code end-to-end tests: installs code-server and chromium if needed (fast when done),
# then every test/e2e/*.e2e.test.ts one file at a time. Screenshots land in test-artifacts/e2e/.
# Arguments ending in .ts are the test files to run instead of all of them
# (e.g. `bash scripts/test-e2e.sh test/e2e/walkthrough.e2e.test.ts`); other arguments go to
# node --test (e.g. --test-name-pattern=smoke).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tests=()
flags=()
for arg in "$@"; do
  case "$arg" in
    *.ts) [ -f "$arg" ] || { echo "[test-e2e] no such test file: $arg" >&2; exit 1; }; tests+=("$arg") ;;
    *) flags+=("$arg") ;;
  esac
done
bash scripts/setup-e2e.sh
echo "[test-e2e] packaging dist/lockstep.vsix"
npm run --silent package >/dev/null
shopt -s nullglob
[ ${#tests[@]} -gt 0 ] || tests=(test/e2e/*.e2e.test.ts)
[ ${#tests[@]} -gt 0 ] || { echo "[test-e2e] no test/e2e/*.e2e.test.ts files" >&2; exit 1; }
exec node --import tsx --test --test-concurrency=1 ${flags[@]+"${flags[@]}"} "${tests[@]}"
