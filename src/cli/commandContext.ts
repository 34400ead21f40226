// What every human command shares: the store of the repository around the cwd, session ids,
// one-line errors with exit codes, and JSON output.
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentName } from '../core/model';
import { resolveEditKey, type RepoLocation } from '../repoPaths/repoLocator';
import type { LeaseStore } from '../store/leaseStore';
import { recordLockstepWrites } from '../store/lockstepWrites';
import { openRepoStore } from '../store/openRepoStore';

/** Exit codes: 0 done, 1 error (nothing changed), 3 denied/refused by the lease rules (nothing changed). */
export const EXIT_ERROR = 1;
export const EXIT_DENIED = 3;

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = EXIT_ERROR,
    /** Extra JSON for --json callers. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface CommandContext {
  cwd: string;
  store: LeaseStore;
  location: RepoLocation;
}

export function openContext(cwd = process.cwd()): CommandContext {
  const { store, location } = openRepoStore(cwd);
  return { cwd, store, location };
}

/**
 * Files Lockstep wrote at `author`'s request (hook configuration, the plan; default: the caller, as
 * authorOf says): recorded as that session's edits, so they are not unleased edits. Returns why they
 * could not be recorded (the write itself stands), or undefined.
 */
export function recordWritesFor(files: readonly string[], author?: string, ctx?: CommandContext): string | undefined {
  let who = author ?? 'the caller';
  try {
    who = author ?? authorOf(undefined);
    const { id, agent } = parseSessionId(who, 'LOCKSTEP_SESSION');
    const c = ctx ?? openContext();
    recordLockstepWrites(c.store, { id, agent, cwd: c.cwd, worktree: c.location.worktreeRoot, source: 'cli' }, c.location.worktreeRoot, files);
    return undefined;
  } catch (e) {
    return `not recorded as an edit of ${who} (${(e as Error).message.split('\n')[0]}): it shows as an unleased edit until committed`;
  }
}

/** Who is writing: --session, else the session the scheduler started (LOCKSTEP_SESSION), else the person at the terminal. */
export function authorOf(session: string | undefined): string {
  if (session) return parseSessionId(session).id;
  if (process.env.LOCKSTEP_SESSION) return parseSessionId(process.env.LOCKSTEP_SESSION, 'LOCKSTEP_SESSION').id;
  return `human:${os.userInfo().username}`;
}

/** `<agent>:<id>` with a known agent. */
export function parseSessionId(id: string | undefined, option = '--session'): { id: string; agent: AgentName } {
  if (!id) throw new CliError(`${option} is required (a session id like human:alice or claude:<session id>)`);
  const i = id.indexOf(':');
  const agent = AgentName.safeParse(i > 0 ? id.slice(0, i) : '');
  if (i <= 0 || i === id.length - 1 || !agent.success) {
    throw new CliError(`${option} '${id}': expected <agent>:<id> with agent one of ${AgentName.options.join(', ')}`);
  }
  if (id.length > 300) throw new CliError(`${option}: longer than 300 characters`);
  return { id, agent: agent.data };
}

export function resolveKeys(ctx: CommandContext, paths: readonly string[]): string[] {
  return paths.map((p) => {
    try {
      return resolveEditKey(p, ctx.cwd, ctx.location).key;
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  });
}

export function parseTtlSeconds(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0 || n > 7 * 24 * 3600) throw new CliError(`--ttl '${v}': expected a whole number of seconds between 1 and 604800`);
  return n;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function formatDuration(ms: number): string {
  if (ms <= 0) return 'expired';
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function relativeToCwd(p: string, cwd: string): string {
  const r = path.relative(cwd, p);
  return r === '' ? '.' : r;
}

/** Runs a command action: one-line errors on stderr (and as JSON when asked), exit code set. */
export function action<A extends unknown[]>(fn: (...args: A) => void | Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const json = args.some((a) => typeof a === 'object' && a !== null && (a as { json?: unknown }).json === true);
    try {
      await fn(...args);
    } catch (e) {
      const err = e instanceof CliError ? e : new CliError((e as Error).message ?? String(e));
      const line = err.message.split('\n')[0];
      if (json) printJson({ ok: false, error: line, ...err.details });
      process.stderr.write(`lockstep: ${line}\n`);
      process.exitCode = err.exitCode;
    }
  };
}
