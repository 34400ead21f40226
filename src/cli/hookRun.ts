// `lockstep hook`: one agent hook call. Reads the agent's payload, decides against the lease table
// in one store transaction, and answers in the agent's own protocol. Loaded on every tool call of
// every agent, so it imports only what a hook needs (no commander, no git process).
import * as path from 'node:path';
import { describeDenials } from '../core/denialMessage';
import { isLockstepFolderKey, lockstepFolderDenial } from '../core/lockstepFolder';
import type { Denial, LeaseTable } from '../core/leaseTable';
import { AgentName, HOOK_AGENT_NAMES, type ProcessIdentity, type Session } from '../core/model';
import { identifyAgentProcess } from '../agents/agentProcess';
import { HookInputError, type Dialect, type HookAnswer, type HookDecision, type HookEvent } from '../agents/dialect';
import { detectDialect } from '../agents/registry';
import { locateRepo, RepoError, resolveEditKey, type RepoLocation } from '../repoPaths/repoLocator';
import type { LeaseStore } from '../store/leaseStore';
import { openLeaseStore } from '../store/openLeaseStore';
import { notifyHolders, withDelivery } from './hookDelivery';
import { gateSpawn, isSpawnEvent } from './hookSpawnGate';
import { hookTargets, type HookTarget } from './hookNestedRepos';
import { readStoreConfig } from '../store/storeConfig';
import { storePaths } from '../store/storePaths';
import { DOCTOR_HINT } from '../store/storeErrors';
import { releaseFailedEdit, releaseUnconfirmedAtTurnEnd, unconfirmedMark } from './unconfirmedLeases';

import { MAX_HOOK_PAYLOAD_BYTES } from './hookLimits';

export { MAX_HOOK_PAYLOAD_BYTES };
/**
 * Files one pre-edit call may lease (all or none). A patch touching more is denied: resolving and
 * leasing tens of thousands of paths takes seconds, and every later hook call would pay for a lease
 * table that large.
 */
export const MAX_PATHS_PER_EDIT = 1000;

export const HOOK_USAGE = `Usage: lockstep hook [--agent ${HOOK_AGENT_NAMES.join('|')}]

Run by an agent's hook configuration: reads the hook payload (JSON) on stdin, checks the edit (or the
files a shell command obviously writes) against Lockstep's leases, and answers in that agent's protocol
(allow, or deny with a reason).
Environment: LOCKSTEP_SESSION (session id override), LOCKSTEP_TASK (task id), LOCKSTEP_READ_ONLY=1,
LOCKSTEP_FAIL_OPEN=1 (allow edits when Lockstep itself fails).
`;

export interface HookInput {
  args: readonly string[];
  /** The raw payload; `undefined` with `tooLarge` when stdin exceeded the cap. */
  stdin: Buffer;
  tooLarge?: boolean;
  env: NodeJS.ProcessEnv;
  /** The hook process's working directory (for payloads that name none). */
  cwd?: string;
}

/** A malformed call: a one-line reason on stderr, exit 2 (agents that understand it block), nothing changed. */
function refuse(reason: string): HookAnswer {
  return { stdout: '', stderr: `lockstep hook: ${reason}\n`, exitCode: 2 };
}

function parseArgs(args: readonly string[]): { agent?: AgentName; help?: boolean } {
  const out: { agent?: AgentName; help?: boolean } = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--help' || a === '-h') out.help = true;
    else if (a === '--agent' || a.startsWith('--agent=')) {
      const v = a === '--agent' ? args[++i] : a.slice('--agent='.length);
      const r = AgentName.safeParse(v);
      if (!r.success || !(HOOK_AGENT_NAMES as readonly string[]).includes(r.data)) throw new HookInputError(`--agent: unknown agent '${v ?? ''}' (expected one of ${HOOK_AGENT_NAMES.join(', ')})`);
      out.agent = r.data;
    } else throw new HookInputError(`unexpected argument '${a}' (see lockstep hook --help)`);
  }
  return out;
}

/** Lockstep itself failed (store unreadable, lock stuck…): deny, or allow with a warning when fail-open. */
function lockstepFailed(dialect: Dialect, event: HookEvent, err: unknown, failOpen: boolean): HookAnswer {
  const msg = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
  const withHint = msg.includes('lockstep doctor') ? msg : `${msg}; ${DOCTOR_HINT}`;
  if (event.kind !== 'pre-edit') {
    const ans = dialect.answer(event, { kind: 'ack' });
    return { ...ans, stderr: ans.stderr + `lockstep: ${withHint}\n` };
  }
  if (failOpen) {
    const ans = dialect.answer(event, { kind: 'allow', warning: `Lockstep failed open: ${withHint}` });
    return { ...ans, stderr: ans.stderr + `lockstep: failing open (edit allowed without a lease): ${withHint}\n` };
  }
  return dialect.answer(event, { kind: 'deny', reason: `Lockstep could not check this edit: ${withHint}` });
}

function failOpenSetting(env: NodeJS.ProcessEnv, commonDir: string | undefined): boolean {
  if (env.LOCKSTEP_FAIL_OPEN === '1') return true;
  if (!commonDir) return false;
  try {
    return readStoreConfig(storePaths(commonDir).config).failOpen === true;
  } catch {
    return false;
  }
}

/** identifyAgentProcess, run at most once, and only when asked (it reads the process table). */
function lazyAgentProcess(env: NodeJS.ProcessEnv): () => ProcessIdentity | undefined {
  let known = false;
  let identity: ProcessIdentity | undefined;
  return () => {
    if (!known) {
      identity = identifyAgentProcess({ env });
      known = true;
    }
    return identity;
  };
}

/** What the dialect let through without reading it (a shell tool's odd input…): said on stderr with every answer, never a denial. */
function withNote(dialect: Dialect, note: string): Dialect {
  return {
    ...dialect,
    answer: (event, decision) => {
      const ans = dialect.answer(event, decision);
      return { ...ans, stderr: `${ans.stderr}lockstep hook: ${note}\n` };
    },
  };
}

/** Renews every lease the session holds (DESIGN: renew on every hook call of the session). */
function renewSessionLeases(table: LeaseTable, sessionId: string): void {
  for (const lease of Object.values(table.state.leases)) {
    if (lease.session === sessionId) table.renew(lease.key, lease.ownerToken);
  }
}

export function runHook(input: HookInput): HookAnswer {
  let opts: { agent?: AgentName; help?: boolean };
  try {
    opts = parseArgs(input.args);
  } catch (e) {
    return refuse((e as Error).message);
  }
  if (opts.help) return { stdout: HOOK_USAGE, stderr: '', exitCode: 0 };
  if (input.tooLarge) return refuse(`payload on stdin is larger than ${MAX_HOOK_PAYLOAD_BYTES / (1024 * 1024)} MiB`);

  let payload: unknown;
  try {
    payload = JSON.parse(input.stdin.toString('utf8'));
  } catch (e) {
    return refuse(`payload on stdin is not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return refuse('payload on stdin is not a JSON object');

  // The agent process that ran this hook: part of the session's identity, and its liveness frees leases.
  // Looked up only when needed: a shell command that writes nothing is answered without it.
  const agent = lazyAgentProcess(input.env);
  let dialect: Dialect | undefined;
  let event: HookEvent;
  try {
    dialect = detectDialect(payload as Record<string, unknown>, opts.agent);
    event = dialect.parse(payload as Record<string, unknown>, {
      get agentPid() {
        return agent()?.pid ?? process.ppid;
      },
      get agentStartTime() {
        return agent()?.startTime;
      },
      cwd: input.cwd,
    });
  } catch (e) {
    if (e instanceof HookInputError) return dialect?.refusal?.(e.message) ?? refuse(e.message);
    throw e;
  }
  if (event.note) dialect = withNote(dialect, event.note);
  if (event.quiet) return dialect.answer(event, { kind: 'ack' });
  const agentProcess = agent();
  let locations: RepoLocation[];
  try {
    locations = [locateRepo(event.cwd)];
  } catch (e) {
    if (!(e instanceof RepoError)) return lockstepFailed(dialect, event, e, failOpenSetting(input.env, undefined));
    // The agent runs outside every repository (e.g. started in ~/projects): its edit paths name the
    // repositories. Only when none does has Lockstep nothing to coordinate.
    try {
      locations = repositoriesOfPaths(event);
    } catch (e2) {
      return lockstepFailed(dialect, event, e2, failOpenSetting(input.env, undefined));
    }
    if (locations.length === 0) return dialect.answer(event, event.kind === 'pre-edit' ? { kind: 'allow' } : { kind: 'ack' });
    // Leases are all-or-none within one store; across two stores they could not be, so such an edit is refused.
    if (event.kind === 'pre-edit' && locations.length > 1) {
      return dialect.answer(event, { kind: 'deny', reason: `Lockstep: this edit spans ${locations.length} repositories (${locations.map((l) => l.worktreeRoot).join(', ')}); edit each repository's files in a separate call` });
    }
  }

  // Files inside git submodules are leased in the submodule's own store (hookNestedRepos.ts).
  let targets: HookTarget[] = locations.map((location) => ({ location }));
  if (locations.length === 1) {
    const routed = hookTargets(event, locations[0]!);
    if (routed.deny) return dialect.answer(event, { kind: 'deny', reason: routed.deny });
    targets = routed.targets;
  }
  let answer: HookAnswer | undefined;
  for (const { location, submodule, onlyKnownSession } of targets) {
    try {
      // Post-edit across repositories: each store records the paths that are its own (decide skips the rest).
      let decision = decide(dialect, event, location, input.env, agentProcess, onlyKnownSession);
      if (decision.kind === 'deny' && submodule) decision = { ...decision, reason: `${decision.reason} (in the git submodule ${submodule}, whose leases are keyed from its own top folder)` };
      answer = dialect.answer(event, decision);
    } catch (e) {
      return lockstepFailed(dialect, event, e, failOpenSetting(input.env, location.commonDir));
    }
  }
  return answer!;
}

/** The repositories (one location per git common dir) holding the event's edit paths, resolved against its cwd. */
function repositoriesOfPaths(event: HookEvent): RepoLocation[] {
  if (event.kind !== 'pre-edit' && event.kind !== 'post-edit') return [];
  const byCommonDir = new Map<string, RepoLocation>();
  for (const p of event.paths) {
    if (p.length === 0 || p.includes('\0')) continue;
    let location: RepoLocation;
    try {
      location = locateRepo(path.resolve(event.cwd, p));
    } catch (e) {
      if (e instanceof RepoError) continue;
      throw e;
    }
    if (!byCommonDir.has(location.commonDir)) byCommonDir.set(location.commonDir, location);
  }
  return [...byCommonDir.values()];
}

function decide(dialect: Dialect, event: HookEvent, location: RepoLocation, env: NodeJS.ProcessEnv, agentProcess: ProcessIdentity | undefined, onlyKnownSession = false): HookDecision {
  const session = { id: env.LOCKSTEP_SESSION || `${event.agent}:${event.sessionId}`, task: env.LOCKSTEP_TASK || undefined };
  if (onlyKnownSession && !openLeaseStore(location.commonDir).read().sessions[session.id]) return { kind: 'ack' };
  const { decision, store, denials } = decideLeases(event, location, env, agentProcess, session.id, session.task);
  if (store && isSpawnEvent(event)) {
    const refused = gateSpawn(event, store, session.id);
    if (refused) return refused;
  }
  if (!store) return decision;
  // The shared memory rides along: a failure there never changes what the lease rules decided.
  try {
    if (denials) notifyHolders(store, session, denials);
    return withDelivery(dialect, event, decision, store, session);
  } catch {
    return decision;
  }
}

function decideLeases(
  event: HookEvent,
  location: RepoLocation,
  env: NodeJS.ProcessEnv,
  agentProcess: ProcessIdentity | undefined,
  sessionId: string,
  task: string | undefined,
): { decision: HookDecision; store?: LeaseStore; denials?: Denial[] } {
  const readOnly = env.LOCKSTEP_READ_ONLY === '1';

  // Paths first: a bad path denies with its reason and writes nothing.
  let keys: string[] = [];
  if (event.kind === 'pre-edit' && event.paths.length > MAX_PATHS_PER_EDIT) {
    return { decision: { kind: 'deny', reason: `Lockstep: this edit touches ${event.paths.length} files; at most ${MAX_PATHS_PER_EDIT} can be leased in one edit. Split it into smaller edits.` } };
  }
  if (event.kind === 'pre-edit' || event.kind === 'post-edit' || event.kind === 'edit-failed') {
    const resolved: string[] = [];
    for (const p of event.paths) {
      try {
        resolved.push(resolveEditKey(p, event.cwd, location).key);
      } catch (e) {
        // A shell command's write outside the repository (/tmp, .git…) is none of Lockstep's business.
        if (event.kind === 'pre-edit' && !event.fromShell) return { decision: { kind: 'deny', reason: `Lockstep: ${(e as Error).message}` } };
        // post-edit: the edit already happened; record what can be named.
      }
    }
    keys = resolved;
    if (event.kind === 'pre-edit' && keys.length === 0) return { decision: { kind: 'allow' } };
  }

  const store = openLeaseStore(location.commonDir);
  const ownFolder = event.kind === 'pre-edit' ? keys.find(isLockstepFolderKey) : undefined;
  if (ownFolder && store.config().agentsEditLockstep !== true) return { decision: { kind: 'deny', reason: lockstepFolderDenial(ownFolder) } };
  const touch = (table: LeaseTable): Session =>
    table.touchSession({
      id: sessionId,
      agent: event.agent,
      cwd: event.cwd,
      worktree: location.worktreeRoot,
      task,
      source: 'hook',
      process: agentProcess,
      readOnly,
    });

  // A payload naming a session another live agent process started acts for nobody (forged or misrouted).
  const impostor = (table: LeaseTable): string | undefined => table.impostorReason(sessionId, agentProcess);

  switch (event.kind) {
    case 'pre-edit': {
      // The last run's denials (the function may run twice: see transactUnlessDenied).
      let denials: Denial[] | undefined;
      const decision = store.transactUnlessDenied((table): HookDecision => {
        denials = undefined;
        const refused = impostor(table);
        if (refused) return { kind: 'deny', reason: `Lockstep: ${refused}. Edit under your own session.` } as const;
        touch(table);
        const now = Date.now();
        const out = table.acquire(sessionId, keys, { task, unconfirmed: unconfirmedMark(event) });
        denials = out.ok ? undefined : out.denials;
        if (!out.ok) return { kind: 'deny', reason: describeDenials(out.denials, now) } as const;
        return { kind: 'allow', warning: out.warnings.length > 0 ? out.warnings.join('; ') : undefined } as const;
      });
      return { decision, store, denials };
    }
    case 'post-edit':
      store.transact((table) => {
        if (impostor(table)) return;
        touch(table);
        renewSessionLeases(table, sessionId);
        for (const key of keys) {
          table.confirm(sessionId, key);
          table.recordEdit({ key, session: sessionId, worktree: location.worktreeRoot, tool: event.tool, source: 'hook' });
        }
      });
      return { decision: { kind: 'ack' }, store };
    case 'edit-failed':
      store.transact((table) => {
        if (impostor(table)) return;
        touch(table);
        releaseFailedEdit(table, sessionId, event, keys);
      });
      return { decision: { kind: 'ack' }, store };
    case 'session-end':
      store.transact((table) => {
        if (impostor(table)) return;
        // A scheduler-started session (LOCKSTEP_SESSION) spans the agent's own sessions (Claude's /clear
        // ends one and starts the next): the scheduler ends it when the agent process exits. Here it is
        // only renewed, and never revived once ended.
        if (env.LOCKSTEP_SESSION) {
          if (table.liveSession(sessionId)) {
            touch(table);
            renewSessionLeases(table, sessionId);
          }
          return;
        }
        table.endSession(sessionId, `${event.agent} session ended (${event.eventName})`);
      });
      return { decision: { kind: 'ack' } };
    case 'session-start':
      store.transact((table) => {
        if (!impostor(table)) touch(table);
      });
      return { decision: { kind: 'ack' }, store };
    default:
      store.transact((table) => {
        if (impostor(table)) return;
        touch(table);
        if (event.kind === 'stop' || event.kind === 'prompt') releaseUnconfirmedAtTurnEnd(table, sessionId, event);
        renewSessionLeases(table, sessionId);
      });
      return { decision: { kind: 'ack' }, store };
  }
}
