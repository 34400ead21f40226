#!/usr/bin/env bash
# Installs what the real-VS-Code end-to-end tests need: Debian's chromium, ripgrep and libkrb5-dev, and
# code-server (VS Code 1.100.3 served to a browser) into <project>/.cache/code-server/.
# Idempotent: a stamp makes a second run take about a second. Needs no network beyond the npm
# registry and Debian's package mirrors (the comments at each step say why it is needed).
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
# code-server 4.100.3's lib/vscode/npm-shrinkwrap.json pins @vscode/ripgrep 1.15.11, whose
# lib/postinstall.js downloads ripgrep release v13.0.0-10 from GitHub unless a cached archive exists.
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_TAG=v13.0.0-10
RIPGREP_TARGET=x86_64-unknown-linux-musl
APT_PACKAGES=(chromium ripgrep libkrb5-dev)
# Dependencies whose install scripts must run (npm 11 blocks dependency install scripts by default).
OUTER_ALLOWED=(argon2)
VSCODE_ALLOWED=(@parcel/watcher @vscode/deviceid @vscode/ripgrep @vscode/spdlog kerberos native-watchdog node-pty)
VSCODE_EXTENSIONS_ALLOWED=(@parcel/watcher esbuild)
SETUP_REVISION=1 # bump when this script changes what it installs

PROJECT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$PROJECT/.cache/code-server"
STAMP="$CACHE/.setup-stamp"
CS_DIR="$CACHE/node_modules/code-server"
VSCODE_DIR="$CS_DIR/lib/vscode"
INSTALL_TMP="$PROJECT/.cache/tmp"
LOG="$CACHE/install.log"
START=$(date +%s)

step() { echo "[setup-e2e] $*"; }
fail() { echo "[setup-e2e] FAILED: $*" >&2; exit 1; }
elapsed() { echo "$(($(date +%s) - START))s"; }
csv() { local IFS=,; echo "$*"; }

# --- node ----------------------------------------------------------------------------------------
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || fail "node is not on PATH"
[ "$NODE_MAJOR" = 20 ] || fail "code-server $CODE_SERVER_VERSION needs Node 20, found $(node -v)"
STAMP_VALUE="code-server@$CODE_SERVER_VERSION node-$NODE_MAJOR rev-$SETUP_REVISION"
step "node $(node -v): ok"

# --- Debian packages -----------------------------------------------------------------------------
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  step "apt packages (${APT_PACKAGES[*]}): already installed"
else
  SUDO=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || fail "need root or sudo to apt-get install ${missing[*]}"
    SUDO=(sudo)
  fi
  step "apt packages: installing ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || fail "apt-get update failed"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null || fail "apt-get install ${missing[*]} failed"
  step "apt packages: installed ${missing[*]} ($(elapsed))"
fi
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing although the chromium package is installed"
command -v rg >/dev/null || fail "rg is missing although the ripgrep package is installed"

# --- code-server ---------------------------------------------------------------------------------
# Every step of the install leaves one of these behind; npm only warns when it skips a blocked script.
cs_complete() {
  [ -f "$CS_DIR/out/node/entry.js" ] &&
    [ -L "$VSCODE_DIR/node_modules.asar" ] &&
    [ -x "$VSCODE_DIR/node_modules/@vscode/ripgrep/bin/rg" ] &&
    [ -f "$VSCODE_DIR/node_modules/node-pty/build/Release/pty.node" ] &&
    [ -f "$VSCODE_DIR/node_modules/kerberos/build/Release/kerberos.node" ] &&
    [ -f "$VSCODE_DIR/node_modules/@vscode/spdlog/build/Release/spdlog.node" ] &&
    [ -d "$VSCODE_DIR/extensions/node_modules/typescript" ]
}

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STAMP_VALUE" ] && cs_complete; then
  step "code-server $CODE_SERVER_VERSION: cached in ${CACHE#"$PROJECT"/}"
  step "done ($(elapsed))"
  exit 0
fi

json_allow() { # $1: whether code-server's own install script may run
  local out="" n
  for n in "${OUTER_ALLOWED[@]}"; do out+="\"$n\": true, "; done
  echo "$out\"code-server\": $1"
}

# code-server's postinstall runs `npm install` inside lib/vscode and lib/vscode/extensions. Those
# nested installs take their allow-list from a project .npmrc (npm rejects --allow-scripts and
# npm_config_allow_scripts in project installs), which can only be written after npm has extracted
# code-server. So: install with code-server's postinstall held back, write the nested .npmrc files,
# then let `npm rebuild code-server` run its postinstall.
write_manifest() { # $1: whether code-server's own install script may run
  cat >"$CACHE/package.json" <<EOF
{
  "name": "lockstep-e2e-code-server",
  "private": true,
  "description": "code-server for Lockstep's end-to-end tests; installed by scripts/setup-e2e.sh",
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { $(json_allow "$1") }
}
EOF
}

# @vscode/ripgrep's postinstall downloads rg from GitHub; it first looks in os.tmpdir() for a cached
# release archive. A private TMPDIR holding an archive of Debian's rg lets it finish offline.
make_ripgrep_cache() { # $1: @vscode/ripgrep version, $2: rg release tag
  local dir="$INSTALL_TMP/vscode-ripgrep-cache-$1" stage="$INSTALL_TMP/rg-stage"
  mkdir -p "$dir" "$stage"
  cp "$(command -v rg)" "$stage/rg"
  tar -czf "$dir/ripgrep-$2-$RIPGREP_TARGET.tar.gz" -C "$stage" rg
  rm -rf "$stage"
}

# node-gyp downloads Node's headers unless told where they are; use the installed ones (offline).
NODE_PREFIX=$(dirname "$(dirname "$(command -v node)")")
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$NODE_PREFIX/include/node/node.h" ]; then
  case "$(npm config get nodedir 2>/dev/null)" in "" | undefined | null) export npm_config_nodedir="$NODE_PREFIX" ;; esac
fi

# npm_config_yes: node-pty's install runs `npx node-gyp`, which would otherwise prompt.
# npm_config_unsafe_perm: code-server's postinstall refuses to run as root without it.
run_npm() { # runs npm in $CACHE with output to the log; prints the log's tail on failure
  if ! (cd "$CACHE" && TMPDIR="$INSTALL_TMP" npm_config_yes=true npm_config_unsafe_perm=true \
    npm_config_update_notifier=false npm "$@" --unsafe-perm --no-audit --no-fund >>"$LOG" 2>&1); then
    tail -n 40 "$LOG" >&2
    return 1
  fi
}

install_code_server() {
  mkdir -p "$INSTALL_TMP"
  make_ripgrep_cache "$RIPGREP_PKG_VERSION" "$RIPGREP_TAG"
  : >"$LOG"

  step "code-server $CODE_SERVER_VERSION: npm install (log: ${LOG#"$PROJECT"/})"
  write_manifest false
  run_npm install || fail "npm install code-server@$CODE_SERVER_VERSION failed (see $LOG)"
  [ -f "$CS_DIR/out/node/entry.js" ] || fail "code-server was not extracted into $CS_DIR"
  step "code-server: package installed ($(elapsed))"

  echo "allow-scripts=$(csv "${VSCODE_ALLOWED[@]}")" >"$VSCODE_DIR/.npmrc"
  echo "allow-scripts=$(csv "${VSCODE_EXTENSIONS_ALLOWED[@]}")" >"$VSCODE_DIR/extensions/.npmrc"

  step "code-server: building VS Code's native modules (its postinstall)"
  write_manifest true
  if ! run_npm rebuild code-server; then
    # The ripgrep package may expect another version or tag than this script knows: read both from
    # what npm extracted, cache that archive too and try once more.
    local rg_pkg="$VSCODE_DIR/node_modules/@vscode/ripgrep" v tag
    { [ -f "$rg_pkg/lib/postinstall.js" ] && [ ! -x "$rg_pkg/bin/rg" ]; } ||
      fail "code-server's postinstall failed (see $LOG)"
    v=$(node -p "require('$rg_pkg/package.json').version")
    tag=$(sed -n "s/^const VERSION = '\(.*\)';/\1/p" "$rg_pkg/lib/postinstall.js")
    step "code-server: retrying with a ripgrep cache for @vscode/ripgrep $v ($tag)"
    rm -rf "$rg_pkg/bin"
    make_ripgrep_cache "$v" "$tag"
    run_npm rebuild code-server || fail "code-server's postinstall failed (see $LOG)"
  fi
  cs_complete || fail "code-server's postinstall left native modules unbuilt (see $LOG)"
  rm -rf "$INSTALL_TMP"
  step "code-server: native modules built ($(elapsed))"
}

rm -f "$STAMP"
mkdir -p "$CACHE"
if cs_complete; then
  step "code-server $CODE_SERVER_VERSION: installed but not yet verified"
else
  install_code_server
fi

# --- verify: start it once and load the workbench page -------------------------------------------
step "code-server: starting once to verify"
VERIFY_DIR=$(mktemp -d)
# XDG_*: code-server keeps a heartbeat and logs in the data dir and a device id in the cache dir;
# keep them out of $HOME.
XDG_DATA_HOME="$VERIFY_DIR/xdg/data" XDG_CACHE_HOME="$VERIFY_DIR/xdg/cache" XDG_CONFIG_HOME="$VERIFY_DIR/xdg/config" \
  setsid node "$CS_DIR/out/node/entry.js" --auth none --bind-addr 127.0.0.1:0 --config "$VERIFY_DIR/config.yaml" \
  --disable-telemetry --disable-update-check --user-data-dir "$VERIFY_DIR/data" \
  --extensions-dir "$VERIFY_DIR/ext" "$VERIFY_DIR" >"$VERIFY_DIR/out.log" 2>&1 &
CS_PID=$!
# setsid made code-server a process group leader: end the group (server and extension host).
cleanup_verify() { kill -- "-$CS_PID" 2>/dev/null || true; wait "$CS_PID" 2>/dev/null || true; rm -rf "$VERIFY_DIR"; }
trap cleanup_verify EXIT
ok=""
for _ in $(seq 1 120); do
  PORT=$(sed -n 's|.*HTTP server listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$VERIFY_DIR/out.log")
  if [ -n "$PORT" ] && node -e 'fetch(process.argv[1]).then(async (r) => process.exit(r.ok && (await r.text()).includes("vscode-workbench-web-configuration") ? 0 : 1), () => process.exit(1))' \
    "http://127.0.0.1:$PORT/?folder=$VERIFY_DIR"; then
    ok=1
    break
  fi
  kill -0 "$CS_PID" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$ok" ]; then
  cat "$VERIFY_DIR/out.log" >&2
  fail "code-server did not serve the workbench page"
fi
cleanup_verify
trap - EXIT
step "code-server: serves the workbench (code-server $(node -p "require('$CS_DIR/package.json').version"))"

echo "$STAMP_VALUE" >"$STAMP"
step "done ($(elapsed))"
