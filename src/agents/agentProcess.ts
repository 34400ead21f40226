// Which process is a session's agent. A hook runs as a grandchild of the agent (Claude Code:
// agent -> /bin/sh -c -> node dist/cli.js hook), so the agent is the nearest ancestor that is not a
// shell or runner. Its identity and whether it still runs: src/process/processLiveness.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProcessIdentity } from '../core/model';
import { processPlatform, processReader, type ProcessInfo } from '../process/processTable';
import { hasEnded, identityOfInfo } from '../process/processLiveness';

// Process identity and liveness live below the store and the agents (src/process/); re-exported for
// the callers that ask about an agent's process.
export { identifyProcess, processVerdict, LivenessMonitor, type DeadSession, type WatchedSession } from '../process/processLiveness';

/** Shells that run a hook's command line (`/bin/sh -c "…"`, or a `#!/bin/bash` hook script). */
const SHELLS = new Set(['sh', 'bash', 'rbash', 'dash', 'ash', 'zsh', 'fish', 'ksh', 'ksh93', 'mksh', 'pdksh', 'tcsh', 'csh', 'yash', 'busybox', 'pwsh', 'nu']);
/** Programs that only run another program: wrappers a user may put around `lockstep hook`. */
const WRAPPERS = new Set([
  'env', 'timeout', 'nice', 'nohup', 'ionice', 'stdbuf', 'setsid', 'time', 'chrt', 'taskset', 'flock', 'xargs',
  'script', 'unbuffer', 'chronic', 'caffeinate', 'sudo', 'doas', 'su', 'runuser',
  'npx', 'npm', 'pnpm', 'pnpx', 'yarn', 'bunx', 'corepack', 'tsx', 'lockstep', 'lockstep-hook',
  // version managers and environment loaders that may sit in front of `node`
  'direnv', 'mise', 'volta', 'volta-shim', 'fnm', 'asdf',
]);
/** Interpreters: a runner when the script they run is one (npm's CLI, tsx, lockstep itself). */
const INTERPRETERS = new Set(['node', 'nodejs', 'bun']);
/** Scripts (basename without extension) that only run another program. */
const RUNNER_SCRIPTS = new Set(['lockstep', 'npx-cli', 'npm-cli', 'npx', 'npm', 'pnpm', 'pnpx', 'yarn', 'corepack', 'tsx']);
/** Node options that take their value as the next argument. */
const NODE_VALUE_OPTIONS = new Set([
  '-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--input-type',
  '--title', '--env-file', '--inspect-port', '--redirect-warnings', '--openssl-config', '--icu-data-dir',
]);

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** First word of a name: a process title such as `npm exec lockstep hook` is named by `npm`. */
function firstWord(s: string): string {
  return s.trim().split(/\s+/)[0] ?? '';
}

/** The script a node command line runs, skipping node's own options; undefined for -e/-p/stdin. */
export function nodeScript(argv: readonly string[]): string | undefined {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return argv[i + 1];
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print' || a === '-') return undefined;
    if (a.startsWith('-')) {
      if (NODE_VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    return a;
  }
  return undefined;
}

function realpathOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

const lockstepPackageCache = new Map<string, boolean>();
/** True for `<pkg>/dist/*.js` or `<pkg>/src/cli/*.ts` inside the package named `lockstep`. */
function isLockstepEntry(script: string): boolean {
  const m = /^(.*)\/(?:dist\/[^/]+\.c?js|src\/cli\/[^/]+\.ts)$/.exec(script);
  if (!m) return false;
  const pkgDir = m[1];
  let known = lockstepPackageCache.get(pkgDir);
  if (known === undefined) {
    try {
      known = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'))?.name === 'lockstep';
    } catch {
      known = false;
    }
    lockstepPackageCache.set(pkgDir, known);
  }
  return known;
}

export interface RunnerContext {
  /** realpaths of scripts that are "this program" (the hook's own entry point). */
  ownScripts: readonly string[];
  /** The process's working directory, to resolve a relative script path (Linux: /proc/<pid>/cwd). */
  cwdOf?(pid: number): string | undefined;
}

function defaultRunnerContext(): RunnerContext {
  const ownScripts = process.argv[1] ? [realpathOr(process.argv[1])] : [];
  return {
    ownScripts,
    cwdOf: (pid) => {
      if (processPlatform() !== 'linux') return undefined;
      try {
        return fs.readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * True when the process only runs another program (a shell, `env`, `timeout`, npm/npx, lockstep
 * itself), so the agent is further up. Anything else (claude, codex, gemini, a node running the
 * agent's script) is the agent.
 */
export function isRunner(info: Pick<ProcessInfo, 'pid' | 'comm' | 'argv'>, ctx: RunnerContext = defaultRunnerContext()): boolean {
  const names = [firstWord(info.comm), baseName(firstWord(info.argv[0] ?? ''))].filter((n) => n.length > 0);
  if (names.some((n) => SHELLS.has(n) || WRAPPERS.has(n))) return true;
  if (!names.some((n) => INTERPRETERS.has(n))) return false;
  const script = nodeScript(info.argv);
  if (script === undefined) return false;
  const stem = baseName(script).replace(/\.(c|m)?[jt]s$/, '');
  if (RUNNER_SCRIPTS.has(stem)) return true;
  if (/\/tsx\/dist\/cli\.m?js$/.test(script)) return true;
  const cwd = script.startsWith('/') ? undefined : ctx.cwdOf?.(info.pid);
  const abs = script.startsWith('/') ? script : cwd ? path.join(cwd, script) : undefined;
  if (abs === undefined) return false;
  const real = realpathOr(abs);
  return ctx.ownScripts.includes(real) || isLockstepEntry(real) || isLockstepEntry(abs);
}

const MAX_ANCESTRY = 64;

/** The agent process that (transitively) ran this hook process: nearest ancestor that is not a shell/runner. */
export function identifyAgentProcess(opts: { startPid?: number; env?: NodeJS.ProcessEnv } = {}): ProcessIdentity | undefined {
  if (processPlatform() === 'unsupported') return undefined;
  const env = opts.env ?? process.env;
  const read = processReader();
  // The scheduler launched the agent and knows its pid; a stale or malformed value falls back to the walk.
  const pinned = env.LOCKSTEP_AGENT_PID?.trim();
  if (pinned && /^\d+$/.test(pinned) && Number(pinned) > 1) {
    const info = read(Number(pinned));
    if (info && !hasEnded(info.state)) return identityOfInfo(info);
  }
  let current = read(opts.startPid ?? process.pid);
  if (!current) return undefined;
  const ctx = defaultRunnerContext();
  for (let depth = 0; depth < MAX_ANCESTRY; depth++) {
    if (current.ppid <= 1) return undefined;
    const parent = read(current.ppid);
    if (!parent) return undefined;
    if (!isRunner(parent, ctx)) return identityOfInfo(parent);
    current = parent;
  }
  return undefined;
}
