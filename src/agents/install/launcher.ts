// The launcher ("shim") every installed hook runs, so a settings file never names a node binary or a
// versioned dist/cli.js that an update, a Node upgrade or a moved checkout would leave dangling:
//
//   agent settings:  LOCKSTEP_HOOK=1 sh -c '…exec "${LOCKSTEP_HOME:-$HOME/.lockstep}/bin/lockstep-hook" "$@"…' lockstep-hook --agent claude
//   launcher:        ~/.lockstep/bin/lockstep-hook (POSIX sh, the same text on every machine)
//   pointer:         ~/.lockstep/current (runtime, dist/cli.js, node|electron, who wrote it)
//
// `lockstep hooks install` and the VS Code extension (at activation, after an update) re-point one
// file; the settings files never change, so a teammate's clone of committed settings runs their own
// Lockstep, and Codex's approval of the exact command line survives updates. When Lockstep cannot be
// found or fails, the hook exits 2 with a one-line reason (which blocks in Claude Code, Codex, Gemini
// CLI, Copilot, Cursor, Windsurf and Cline) unless the user chose fail-open (LOCKSTEP_FAIL_OPEN=1, or
// `lockstep config --fail-open on` for the repository).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AgentName } from '../../core/model';
import { currentNodeRuntime, type NodeRuntime } from '../hookCommand';
import { HOOK_MARKER } from './marker';

export const LAUNCHER_NAME = 'lockstep-hook';

/** Who wrote the pointer: the extension re-points only what an extension (or nobody alive) wrote. */
export type PointerOwner = 'cli' | 'extension';

export interface HookPointer {
  runtime: string;
  cliJs: string;
  electron: boolean;
  owner: PointerOwner;
}

export interface LauncherPaths {
  home: string;
  launcher: string;
  pointer: string;
}

/** `$LOCKSTEP_HOME`, else `~/.lockstep` (`homeDir` replaces the home folder, for tests and user scope). */
export function launcherPaths(env: NodeJS.ProcessEnv = process.env, homeDir?: string): LauncherPaths {
  const home = env.LOCKSTEP_HOME || path.join(homeDir ?? (env.HOME || os.homedir()), '.lockstep');
  return { home, launcher: path.join(home, 'bin', LAUNCHER_NAME), pointer: path.join(home, 'current') };
}

/**
 * The command line written into agents' settings: the same on every machine (no absolute path), run
 * by `sh` whatever the user's login shell is. A missing launcher blocks with the reason.
 */
export function launcherHookCommand(agent: AgentName): string {
  const fix = `install Lockstep and run: lockstep hooks install --agent ${agent}`;
  const script = [
    'l="${LOCKSTEP_HOME:-$HOME/.lockstep}/bin/lockstep-hook"',
    '[ -x "$l" ] && exec "$l" "$@"',
    `echo "lockstep hook: Lockstep is not installed for this user ($l is missing), so the hook blocks: ${fix}; or set LOCKSTEP_FAIL_OPEN=1" >&2`,
    '[ "$LOCKSTEP_FAIL_OPEN" = 1 ] && exit 0',
    'exit 2',
  ].join('; ');
  return `${HOOK_MARKER}sh -c '${script}' ${LAUNCHER_NAME} --agent ${agent}`;
}

/**
 * The `lockstep mcp` server command registered in an agent's MCP configuration: like the hook command,
 * the same on every machine (a committed .mcp.json works on every clone), running the Lockstep the
 * launcher's pointer (~/.lockstep/current) names. Written with `$name` only, never `\${name}`, except
 * LOCKSTEP_HOME: Claude Code expands `\${VAR:-default}` in .mcp.json itself (to the same value).
 */
export function launcherMcpServer(): { command: string; args: string[] } {
  const script = [
    'p="${LOCKSTEP_HOME:-$HOME/.lockstep}/current"',
    'r= c= k=',
    '{ IFS= read -r r; IFS= read -r c; IFS= read -r k; } < "$p"',
    '[ -f "$c" ] || { echo "lockstep mcp: no Lockstep installation at $p names an existing cli.js: run lockstep hooks install" >&2; exit 1; }',
    '[ -x "$r" ] || r=$(command -v node) || { echo "lockstep mcp: the runtime that ran Lockstep is gone and node is not on PATH" >&2; exit 1; }',
    '[ "$k" = electron ] && export ELECTRON_RUN_AS_NODE=1',
    'exec "$r" "$c" mcp',
  ].join('; ');
  return { command: 'sh', args: ['-c', script, 'lockstep-mcp'] };
}

/** Whether an MCP server entry is the one launcherMcpServer() writes. */
export function isLauncherMcpServer(entry: { command?: unknown; args?: unknown }): boolean {
  const ours = launcherMcpServer();
  return entry.command === ours.command && Array.isArray(entry.args) && entry.args.length === ours.args.length && entry.args.every((a, i) => a === ours.args[i]);
}

/** The launcher's text: fixed, so rewriting it changes nothing unless Lockstep changed it. */
export const LAUNCHER_TEXT = `#!/bin/sh
# Lockstep's hook launcher (format 1), written by \`lockstep hooks install\` and the Lockstep extension.
# Agents' hook settings run it by a path that is the same on every machine; it runs the Lockstep
# named in ../current, so an update re-points one file instead of every settings file. When Lockstep
# cannot run, it blocks (exit 2) with the reason, unless LOCKSTEP_FAIL_OPEN=1 or the repository's
# Lockstep config says failOpen.
home="\${LOCKSTEP_HOME:-$HOME/.lockstep}"
fail_open_config() {
  d=$(git rev-parse --git-common-dir 2>/dev/null) || return 1
  grep -q '"failOpen"[[:space:]]*:[[:space:]]*true' "$d/lockstep/config.json" 2>/dev/null
}
# The event, read from the payload when Lockstep could not read it: only a tool call is blocked. A
# blocked prompt, session start or stop would stop the agent before its model ever hears why (or, for
# Claude Code's Stop, keep it from stopping), and an edit still has to pass the tool gate.
payload= payload_read=
gate_event() {
  [ -n "$payload_read" ] || { payload=$(cat); payload_read=1; }
  ev=$(printf '%s\\n' "$payload" | grep -Eo '"(hook_event_name|hookEventName|hookName|agent_action_name)"[[:space:]]*:[[:space:]]*"[A-Za-z_]+"' | head -n 1 | sed 's/.*"\\([A-Za-z_]*\\)"$/\\1/')
  if [ -n "$ev" ]; then
    case $ev in PreToolUse|BeforeTool|preToolUse|beforeShellExecution|beforeMCPExecution|pre_*) return 0 ;; *) return 1 ;; esac
  fi
  # Copilot CLI names no event: a tool call before it runs has toolName and no toolResult.
  if printf '%s\\n' "$payload" | grep -q '"toolName"'; then
    printf '%s\\n' "$payload" | grep -q '"toolResult"' && return 1
    copilot_pre=1
  fi
  return 0
}
fail() {
  if [ "$LOCKSTEP_FAIL_OPEN" = 1 ] || fail_open_config; then
    echo "lockstep hook: $1; failing open (the edit goes ahead without a lease)" >&2
    exit 0
  fi
  copilot_pre=
  if ! gate_event; then
    echo "lockstep hook: $1; tool calls are blocked until it is fixed; run: lockstep doctor" >&2
    exit 0
  fi
  msg="lockstep hook: $1, so the hook blocks; run: lockstep doctor"
  echo "$msg" >&2
  if [ -n "$copilot_pre" ]; then
    # Copilot CLI tells the model only "hook exited with code 2": a denial on stdout carries the reason.
    esc=$(printf '%s' "$msg" | sed 's/\\\\/\\\\\\\\/g; s/"/\\\\"/g')
    printf '{"permissionDecision":"deny","permissionDecisionReason":"%s"}\\n' "$esc"
    exit 0
  fi
  exit 2
}
runtime= cli= kind=
if [ -r "$home/current" ]; then
  { IFS= read -r runtime; IFS= read -r cli; IFS= read -r kind; } < "$home/current"
fi
[ -n "$cli" ] || fail "no Lockstep installation is recorded ($home/current is missing; run: lockstep hooks install, or start VS Code with the Lockstep extension)"
[ -f "$cli" ] || fail "Lockstep is no longer at $cli (moved, updated or removed; start VS Code with the Lockstep extension or run: lockstep hooks install)"
if [ ! -x "$runtime" ]; then
  runtime=$(command -v node) || fail "the runtime $runtime that ran Lockstep is gone and node is not on PATH"
  kind=node
fi
if [ "$kind" = electron ]; then
  ELECTRON_RUN_AS_NODE=1 "$runtime" "$cli" hook "$@"
else
  "$runtime" "$cli" hook "$@"
fi
rc=$?
payload_read=1
case $rc in 0|2) exit $rc ;; esac
fail "Lockstep exited with status $rc"
`;

function pointerText(p: HookPointer): string {
  return `${p.runtime}\n${p.cliJs}\n${p.electron ? 'electron' : 'node'}\n${p.owner}\n`;
}

export function readPointer(file: string): HookPointer | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const [runtime, cliJs, kind, owner] = text.split('\n');
  if (!runtime || !cliJs) return undefined;
  return { runtime, cliJs, electron: kind === 'electron', owner: owner === 'extension' ? 'extension' : 'cli' };
}

/** Writes `text` to `file` (atomically, with `mode`) unless it already holds exactly that. */
function writeIfChanged(file: string, text: string, mode: number): boolean {
  try {
    if (fs.readFileSync(file, 'utf8') === text && (fs.statSync(file).mode & 0o777) === mode) return false;
  } catch {
    /* absent */
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
  return true;
}

export interface EnsureLauncherOptions {
  cliJs: string;
  runtime?: NodeRuntime;
  owner: PointerOwner;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
}

/** Writes the launcher and points it at `cliJs` run by `runtime`; says whether anything changed. */
export function ensureLauncher(opts: EnsureLauncherOptions): LauncherPaths & { changed: boolean } {
  const paths = launcherPaths(opts.env, opts.homeDir);
  const runtime = opts.runtime ?? currentNodeRuntime();
  const a = writeIfChanged(paths.launcher, LAUNCHER_TEXT, 0o755);
  const b = writeIfChanged(paths.pointer, pointerText({ runtime: runtime.execPath, cliJs: opts.cliJs, electron: runtime.electron, owner: opts.owner }), 0o644);
  return { ...paths, changed: a || b };
}

/**
 * At the extension's activation: re-points the launcher at this extension's Lockstep when hooks were
 * installed through the launcher and the pointer is the extension's own (an update moved it) or
 * names a Lockstep or runtime that is gone. A pointer to a live command-line install stays.
 */
export function refreshLauncherForExtension(opts: Omit<EnsureLauncherOptions, 'owner'>): { changed: boolean; reason?: string } {
  const paths = launcherPaths(opts.env, opts.homeDir);
  const current = readPointer(paths.pointer);
  if (!current) return { changed: false };
  const stale = !fs.existsSync(current.cliJs) || !fs.existsSync(current.runtime);
  if (current.owner !== 'extension' && !stale) return { changed: false };
  const r = ensureLauncher({ ...opts, owner: 'extension' });
  return { changed: r.changed, reason: stale ? `the previous Lockstep (${current.cliJs}) is gone` : undefined };
}

export interface LauncherProbe {
  ok: boolean;
  /** The launcher's one-line answer (its reason when not ok). */
  detail: string;
}

/** Runs the launcher as a hook would, asking Lockstep only to say it is there (LOCKSTEP_HOOK_PROBE=1). */
export function probeLauncher(agent: AgentName, env: NodeJS.ProcessEnv = process.env, homeDir?: string): LauncherProbe {
  const { launcher } = launcherPaths(env, homeDir);
  const probeEnv = { ...env, LOCKSTEP_HOOK_PROBE: '1', ...(homeDir ? { HOME: homeDir } : {}) };
  const r = spawnSync('sh', ['-c', launcherHookCommand(agent)], { env: probeEnv, input: '', encoding: 'utf8', timeout: 20_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').filter(Boolean);
  const last = out[out.length - 1] ?? `exit status ${r.status ?? r.signal}`;
  if (r.status === 0 && /^lockstep hook: probe ok/.test(r.stdout ?? '')) return { ok: true, detail: `runs ${readPointer(launcherPaths(env, homeDir).pointer)?.cliJs ?? launcher}` };
  return { ok: false, detail: last };
}
