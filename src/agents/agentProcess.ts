// Which process is a session's agent, and whether it still runs. A hook runs as a grandchild of the
// agent (Claude Code: agent -> /bin/sh -c -> node dist/cli.js hook), so the agent is the nearest
// ancestor that is not a shell or runner. Its identity is pid + start time + host, so a reused pid
// is never mistaken for the same process; a dead agent's leases are then freed at once, not after the TTL.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProcessIdentity } from '../core/model';
import type { ProcessVerdict } from '../core/leaseTable';
import {
  linuxBootId,
  linuxPidNamespace,
  parseLinuxStartTime,
  processPlatform,
  processReader,
  readProcStat,
  readProcess,
  type ProcessInfo,
} from './processTable';

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

function identityOfInfo(info: ProcessInfo): ProcessIdentity {
  return { pid: info.pid, startTime: info.startTime, host: os.hostname(), command: info.comm || undefined };
}

function hasEnded(state: string): boolean {
  return state === 'Z' || state === 'X' || state === 'x';
}

/** The identity of a given process (e.g. an agent the scheduler launched), if it runs on this machine. */
export function identifyProcess(pid: number): ProcessIdentity | undefined {
  const info = readProcess(pid);
  return info && !hasEnded(info.state) ? identityOfInfo(info) : undefined;
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

function ended(pid: number, detail?: string): ProcessVerdict {
  return { state: 'dead', reason: `holder's agent process ${pid} ended${detail ? ` (${detail})` : ''}` };
}

/** Whether a pid exists at all, even one this user may not read (kill 0: ESRCH vs EPERM). */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function verdictWith(identity: ProcessIdentity, read: (pid: number) => ProcessInfo | undefined): ProcessVerdict {
  if (identity.host !== os.hostname()) return { state: 'unknown' };
  const { pid } = identity;
  switch (processPlatform()) {
    case 'linux': {
      const want = parseLinuxStartTime(identity.startTime);
      if (!want) return { state: 'unknown' };
      if (want.pidNamespace !== linuxPidNamespace()) return { state: 'unknown' };
      if (want.bootId !== linuxBootId()) return ended(pid, 'the machine restarted since');
      // One /proc read, no spawn: this runs inside lease transactions.
      const stat = readProcStat(pid);
      if (!stat) return pidExists(pid) ? { state: 'unknown' } : ended(pid);
      if (stat.startTicks !== want.ticks) return ended(pid, `pid ${pid} now belongs to another process`);
      return hasEnded(stat.state) ? ended(pid) : { state: 'alive' };
    }
    case 'darwin': {
      const info = read(pid);
      if (!info) return pidExists(pid) ? { state: 'unknown' } : ended(pid);
      if (info.startTime !== identity.startTime) return ended(pid, `pid ${pid} now belongs to another process`);
      return hasEnded(info.state) ? ended(pid) : { state: 'alive' };
    }
    default:
      return { state: 'unknown' };
  }
}

/** Alive, dead (with reason), or unknown (other host / unsupported OS). Stopped processes are alive. */
export function processVerdict(identity: ProcessIdentity): ProcessVerdict {
  return verdictWith(identity, readProcess);
}

export interface WatchedSession {
  id: string;
  process?: ProcessIdentity;
  endedAt?: number;
}

export interface DeadSession {
  id: string;
  reason: string;
}

/**
 * For the coordinator's poll loop: which open sessions' agents have ended on this machine.
 * On macOS one `ps` snapshot serves every session of a poll.
 */
export class LivenessMonitor {
  constructor(private readonly verdict?: (identity: ProcessIdentity) => ProcessVerdict) {}

  deadSessions(sessions: Iterable<WatchedSession>): DeadSession[] {
    const read = processReader();
    const dead: DeadSession[] = [];
    for (const s of sessions) {
      if (s.endedAt !== undefined || !s.process) continue;
      const v = this.verdict ? this.verdict(s.process) : verdictWith(s.process, read);
      if (v.state === 'dead') dead.push({ id: s.id, reason: v.reason });
    }
    return dead;
  }
}
