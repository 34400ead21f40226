#!/usr/bin/env bash
# Installs redis-server (Debian's package) for the team-store tests (test/helpers/redisServer.ts
# starts a private one per test file on a free loopback port). Idempotent: a second run takes
# a moment. The tests never use a system-wide Redis service.
set -euo pipefail
step() { echo "[setup-redis] $*"; }
if command -v redis-server >/dev/null 2>&1; then
  step "redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p'): already installed"
  exit 0
fi
SUDO=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "[setup-redis] FAILED: need root or sudo to apt-get install redis-server" >&2; exit 1; }
  SUDO=(sudo)
fi
step "installing redis-server"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || { echo "[setup-redis] FAILED: apt-get update" >&2; exit 1; }
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null \
  || { echo "[setup-redis] FAILED: apt-get install redis-server" >&2; exit 1; }
step "installed $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')"
