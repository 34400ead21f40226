// The coordinator of one repository, independent of any transport: gathers the store, worktree and
// transcript trackers into one model, versions it (revision + deltas), and answers the protocol's
// requests. main.ts connects it to an LSP connection.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeDenial } from '../core/denialMessage';
import { DEFAULT_TTL_MS, type Lease } from '../core/model';
import { KeyError, keyFromAbsolute, toKey } from '../core/pathKey';
import { locateRepo, realpathDeep, resolveEditKey, type RepoLocation } from '../repoPaths/repoLocator';
import type { CoordinatorRequestName, RequestParams, RequestResult } from '../protocol/coordinatorMethods';
import type { CoordinatorConfig, HookHealthView, LeaseView, SessionView, Snapshot, StateDelta } from '../protocol/coordinatorState';
import type { LeaseStore } from '../store/leaseStore';
import { recordLockstepWrites } from '../store/lockstepWrites';
import { openLeaseStore } from '../store/openLeaseStore';
import { runDoctor } from '../store/storeDoctor';
import { teamStoreReport } from '../store/teamDoctor';
import { RedisStore } from '../store/redisStore';
import type { StoreConfig } from '../store/storeConfig';
import { chooseStore, choiceName } from '../store/teamStore';
import { diffCollections } from './collectionDiff';
import { buildEditingModel, type EditingModel, type ModelCollections } from '../engine/editingModel';
import { describeLease } from '../core/leaseNotice';
import { StoreTracker } from './storeTracker';
import { TranscriptTracker } from './transcriptTracker';
import { WorktreeTracker } from './worktreeTracker';
import { changedSince } from '../git/mergeTree';
import { runGit } from '../git/gitRunner';
import { installHooksFor } from './hookInstaller';
import { checkInstalledHooks, hookConfigFiles } from '../agents/install/hookHealth';
import { plural } from '../core/plural';
import { processVerdict } from '../process/processLiveness';

export class CoordinatorRequestError extends Error {
  override readonly name = 'CoordinatorRequestError';
}

export interface CoordinatorOptions {
  /** Any folder inside the repository (the workspace folder). */
  root: string;
  userSession: string;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
  /** Called with every new revision's delta. */
  onDelta?: (delta: StateDelta) => void;
  /** Called after every model change (diagnostics refresh). */
  onModel?: () => void;
}

export type RequestHandlers = { [K in CoordinatorRequestName]: (params: RequestParams<K>) => Promise<RequestResult<K>> };

const EMPTY: ModelCollections = { sessions: [], leases: [], worktrees: [], edits: [], unleased: [], endedWork: [], hooks: [] };
/** How often the installed hooks are checked again (they change rarely: installs, updates, trust). */
const HOOK_CHECK_MS = 5 * 60_000;
/** How often the hook configuration files are stat'ed: a change there is re-checked at once. */
const HOOK_FILES_POLL_MS = 2_000;

export class Coordinator {
  readonly epoch = randomBytes(6).toString('hex');
  private revision = 0;
  private model: ModelCollections = EMPTY;
  private config: CoordinatorConfig = configView({});
  private recomputeTimer: NodeJS.Timeout | undefined;
  private boundaryTimer: NodeJS.Timeout | undefined;
  private hookTimer: NodeJS.Timeout | undefined;
  private hookHealth: HookHealthView[] = [];
  private hookFiles: string[] | undefined;
  private hookFilesStamp: string | undefined;
  private hookFilesPoll: NodeJS.Timeout | undefined;
  private closed = false;
  readonly store: LeaseStore;
  /** The store this coordinator opened (choiceName): a different configured one needs a restart. */
  private readonly storeChoice: string;
  private storeChoiceCache: { config: string; changed: string | undefined } | undefined;
  readonly storeTracker: StoreTracker;
  readonly worktrees: WorktreeTracker;
  readonly transcripts: TranscriptTracker;
  private readonly log: (message: string) => void;

  private constructor(
    readonly location: RepoLocation,
    private readonly opts: CoordinatorOptions,
  ) {
    this.log = opts.log ?? (() => undefined);
    const onChange = () => this.scheduleRecompute();
    this.storeChoice = choiceName(chooseStore(location.commonDir));
    this.store = openLeaseStore(location.commonDir);
    this.storeTracker = new StoreTracker({ store: this.store, onChange, log: this.log });
    this.worktrees = new WorktreeTracker({
      commonDir: location.commonDir,
      log: this.log,
      onChange: () => {
        this.transcripts?.worktreesChanged();
        onChange();
      },
    });
    this.transcripts = new TranscriptTracker({
      env: opts.env ?? process.env,
      worktreeRoots: () => this.worktreeRoots(),
      onChange,
      log: this.log,
    });
  }

  /** Opens the coordinator of the repository around `opts.root`; throws RepoError outside one. */
  static async open(opts: CoordinatorOptions): Promise<Coordinator> {
    const location = locateRepo(opts.root);
    const c = new Coordinator(location, opts);
    c.storeTracker.start();
    await c.worktrees.start();
    c.transcripts.start();
    c.recompute();
    c.scheduleHookCheck(0);
    c.hookFilesPoll = setInterval(() => c.pollHookFiles(), HOOK_FILES_POLL_MS);
    c.hookFilesPoll.unref();
    return c;
  }

  get userSession(): string {
    return this.opts.userSession;
  }

  /** Worktree roots, always including the one the client is in. */
  worktreeRoots(): string[] {
    const roots = this.worktrees?.roots() ?? [];
    return roots.includes(this.location.worktreeRoot) ? roots : [this.location.worktreeRoot, ...roots];
  }

  snapshot(): Snapshot {
    return {
      epoch: this.epoch,
      revision: this.revision,
      at: Date.now(),
      repo: { commonDir: this.location.commonDir, root: this.location.worktreeRoot },
      userSession: this.opts.userSession,
      config: this.config,
      ...this.model,
    };
  }

  /** Resolves once pending work has been folded into the model (tests, benchmarks). */
  async settled(): Promise<void> {
    await this.worktrees.settled();
    await this.transcripts.settled();
    this.storeTracker.readNow();
    this.recompute();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.recomputeTimer) clearTimeout(this.recomputeTimer);
    if (this.boundaryTimer) clearTimeout(this.boundaryTimer);
    if (this.hookTimer) clearTimeout(this.hookTimer);
    if (this.hookFilesPoll) clearInterval(this.hookFilesPoll);
    await Promise.allSettled([this.storeTracker.close(), this.worktrees.close(), this.transcripts.close()]);
  }

  // ---- the model -----------------------------------------------------------------------------------

  /** Checks the installed agent hooks (`lockstep doctor`'s check) after `delay`, then every few minutes. */
  private scheduleHookCheck(delay: number): void {
    if (this.closed) return;
    if (this.hookTimer) clearTimeout(this.hookTimer);
    this.hookTimer = setTimeout(() => {
      this.hookTimer = undefined;
      this.checkHooks();
      this.scheduleHookCheck(HOOK_CHECK_MS);
    }, delay);
    this.hookTimer.unref();
  }

  private hookCheckOptions() {
    const commonDir = this.location.commonDir;
    const mainRoot = path.basename(commonDir) === '.git' ? path.dirname(commonDir) : undefined;
    return { repoRoot: this.location.worktreeRoot, mainRoot, env: this.opts.env ?? process.env };
  }

  private checkHooks(): void {
    if (this.closed) return;
    try {
      this.hookFilesStamp = this.hookFilesNow();
      this.hookHealth = checkInstalledHooks(this.hookCheckOptions()).map((h) => ({ id: `${h.agent}:${h.scope}:${h.file}`, ...h }));
    } catch (e) {
      this.log(`checking the installed agent hooks failed: ${(e as Error).message.split('\n')[0]}`);
    }
    this.recompute();
  }

  /** The size and modification time of every hook configuration file: cheap enough to poll. */
  private hookFilesNow(): string {
    this.hookFiles ??= hookConfigFiles(this.hookCheckOptions());
    return this.hookFiles
      .map((f) => {
        try {
          const st = fs.statSync(f);
          return `${st.size}:${st.mtimeMs}`;
        } catch {
          return '-';
        }
      })
      .join(',');
  }

  /** Hooks installed or removed from a terminal, or by hand, show within seconds, not minutes. */
  private pollHookFiles(): void {
    if (this.closed || this.hookFilesStamp === undefined) return;
    try {
      if (this.hookFilesNow() !== this.hookFilesStamp) this.checkHooks();
    } catch (e) {
      this.log(`checking the installed agent hooks failed: ${(e as Error).message.split('\n')[0]}`);
    }
  }

  private scheduleRecompute(): void {
    if (this.recomputeTimer || this.closed) return;
    // Coalesce the bursts of one transaction (state + journal + config) into one revision.
    this.recomputeTimer = setTimeout(() => {
      this.recomputeTimer = undefined;
      this.recompute();
    }, 5);
  }

  private recompute(): void {
    if (this.closed) return;
    const now = Date.now();
    const next: EditingModel = buildEditingModel({
      now,
      store: this.storeTracker.state,
      worktrees: this.worktrees.states(),
      transcriptSessions: this.transcripts.sessions.values(),
      transcriptEdits: this.transcripts.edits.values(),
      shellRuns: this.transcripts.shellRuns.values(),
      processVerdict,
    });
    const config = { ...configView(this.storeTracker.config), ...this.storeView(this.storeTracker.config) };
    const configChanged = JSON.stringify(config) !== JSON.stringify(this.config);
    const { nextTimeBoundary, ...editing } = next;
    const collections: ModelCollections = { ...editing, hooks: this.hookHealth };
    const changes = diffCollections(this.model, collections);
    this.model = collections;
    this.config = config;
    if (this.boundaryTimer) clearTimeout(this.boundaryTimer);
    this.boundaryTimer = undefined;
    if (nextTimeBoundary !== undefined) {
      // Wake when a lease expires or a transcript session goes idle; capped so timers stay sane.
      const wait = Math.min(Math.max(nextTimeBoundary - now + 5, 5), 60_000);
      this.boundaryTimer = setTimeout(() => this.recompute(), wait);
      this.boundaryTimer.unref();
    }
    if (!changes && !configChanged) return;
    this.revision += 1;
    this.opts.onDelta?.({
      epoch: this.epoch,
      revision: this.revision,
      baseRevision: this.revision - 1,
      at: now,
      ...(configChanged ? { config } : {}),
      ...changes,
    });
    this.opts.onModel?.();
  }

  /** Team mode, a store that cannot be reached, a store setting changed since this coordinator opened its store. */
  private storeView(config: StoreConfig): Pick<CoordinatorConfig, 'store' | 'storeProblem' | 'storeChanged'> {
    const team = this.store instanceof RedisStore ? this.store : undefined;
    const key = JSON.stringify(config);
    if (this.storeChoiceCache?.config !== key) {
      let now: string;
      try {
        now = choiceName(chooseStore(this.location.commonDir, process.env, config));
      } catch (e) {
        now = `a store that cannot be opened (${(e as Error).message})`;
      }
      this.storeChoiceCache = { config: key, changed: now === this.storeChoice ? undefined : now };
    }
    const changed = this.storeChoiceCache.changed;
    const problem = team ? this.storeTracker.problem : undefined;
    return { ...(team ? { store: team.describe() } : {}), ...(problem ? { storeProblem: problem } : {}), ...(changed ? { storeChanged: changed } : {}) };
  }

  // ---- lookups for LSP features ----------------------------------------------------------------------

  /** The logical key and worktree of an absolute file path, if it lies in a worktree of this repository. */
  keyOfPath(file: string): { key: string; worktree: string } | undefined {
    let real: string;
    try {
      real = realpathDeep(file);
    } catch {
      return undefined;
    }
    let best: string | undefined;
    for (const root of this.worktreeRoots()) {
      if (real.startsWith(root + path.sep) && (!best || root.length > best.length)) best = root;
    }
    if (!best) return undefined;
    try {
      return { key: keyFromAbsolute(real, best), worktree: best };
    } catch {
      return undefined;
    }
  }

  /** "Held by …" for a file leased by another session than the user's, else undefined. */
  heldNotice(file: string): string | undefined {
    const located = this.keyOfPath(file);
    if (!located) return undefined;
    const lease = this.model.leases.find((l) => l.key === located.key);
    if (!lease || lease.session === this.opts.userSession) return undefined;
    const holder = this.model.sessions.find((s) => s.id === lease.session);
    return describeLease(lease, Date.now(), holder?.task);
  }

  // ---- requests ------------------------------------------------------------------------------------

  /** Maps claim/release paths (absolute, or relative to the workspace root) to keys; one-line errors. */
  private keysOf(paths: readonly string[]): string[] {
    return paths.map((p, i) => {
      try {
        return resolveEditKey(p, this.location.worktreeRoot).key;
      } catch (e) {
        throw new CoordinatorRequestError(`paths.${i}: ${(e as Error).message}`);
      }
    });
  }

  private userSessionInit() {
    return {
      id: this.opts.userSession,
      agent: 'vscode' as const,
      cwd: this.location.worktreeRoot,
      worktree: this.location.worktreeRoot,
      source: 'cli' as const,
    };
  }

  /** Applies a store change now, so the request's answer and the next delta agree. */
  private refreshAfterWrite(): void {
    this.storeTracker.readNow();
    this.recompute();
  }

  /** Files Lockstep wrote in this worktree for the user: recorded as the user's edits, so they are not unleased edits. */
  recordLockstepWrites(files: readonly string[]): void {
    if (recordLockstepWrites(this.store, this.userSessionInit(), this.location.worktreeRoot, files).length > 0) this.refreshAfterWrite();
  }

  readonly handlers: RequestHandlers = {
    getSnapshot: async () => {
      this.storeTracker.readNow();
      this.recompute();
      return this.snapshot();
    },

    claim: async ({ paths, ttlSeconds }) => {
      const keys = this.keysOf(paths);
      const outcome = this.store.transact((t) => {
        t.touchSession(this.userSessionInit());
        const r = t.acquire(this.opts.userSession, keys, { ttlMs: ttlSeconds !== undefined ? ttlSeconds * 1000 : undefined });
        return r;
      });
      this.refreshAfterWrite();
      if (!outcome.ok) {
        const now = Date.now();
        return {
          ok: false as const,
          denials: outcome.denials.map((d) => ({
            key: d.key,
            message: describeDenial(d, now),
            holder: d.reason.kind === 'held' ? d.reason.lease.session : undefined,
          })),
        };
      }
      return { ok: true as const, granted: outcome.granted, renewed: outcome.renewed, leases: outcome.leases.map(leaseView) };
    },

    release: async ({ paths }) => {
      const keys = this.keysOf(paths);
      const r = this.store.transact((t) => t.releaseBySession(this.opts.userSession, keys, `released by ${this.opts.userSession} in VS Code`));
      this.refreshAfterWrite();
      return { released: r.released.map((l) => l.key), notHeld: r.notHeld };
    },

    forceRelease: async ({ key, reason, expectFence }) => {
      let k: string;
      try {
        k = path.isAbsolute(key) ? resolveEditKey(key, this.location.worktreeRoot).key : toKey(key);
      } catch (e) {
        throw new CoordinatorRequestError(`key: ${(e as KeyError).message}`);
      }
      const outcome = this.store.transact((t) => {
        const current = t.state.leases[k];
        if (expectFence !== undefined && current && current.fence !== expectFence) return { changedHands: current.session };
        return { released: t.forceRelease(k, `${this.opts.userSession}: ${reason}`) };
      });
      this.refreshAfterWrite();
      if ('changedHands' in outcome) return { key: k, released: false, changedHands: true, holder: outcome.changedHands };
      return { key: k, released: outcome.released !== undefined, holder: outcome.released?.session };
    },

    getBranchChanges: async ({ base, branch }) => {
      const root = this.location.worktreeRoot;
      const mb = await runGit(['merge-base', '--end-of-options', base, branch], { cwd: root, okExitCodes: [0, 1, 128] });
      if (mb.exitCode !== 0) throw new CoordinatorRequestError(`branch: '${branch}' and '${base}' have no common commit (does the branch exist?)`);
      const mergeBase = mb.stdout.trim();
      const files = await changedSince(root, mergeBase, branch);
      return { mergeBase, files: files.map((f) => ({ key: f.key, status: f.status, ...(f.from ? { from: f.from } : {}) })) };
    },

    endSession: async ({ session, reason }) => {
      const released = this.store.transact((t) => {
        if (!t.liveSession(session)) return undefined;
        return t.endSession(session, `ended by ${this.opts.userSession}: ${reason}`);
      });
      this.refreshAfterWrite();
      return { ended: released !== undefined, released: (released ?? []).map((l) => l.key) };
    },

    doctor: async ({ repair }) => {
      const report = runDoctor(this.location.commonDir, { repair: repair ?? false });
      const lines = [`Lockstep doctor — store ${report.dir}`];
      for (const c of report.checks) {
        lines.push(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}${c.repaired ? ` (repaired: ${c.repaired})` : ''}`);
      }
      const team = teamStoreReport(this.location.commonDir);
      if (team) {
        lines.push(`Team store ${team.store}`);
        for (const c of team.checks) lines.push(`${!c.ok ? 'FAIL' : c.warning ? 'warn' : 'ok  '} ${c.name}: ${c.detail}`);
      }
      const problem = this.storeTracker.problem;
      lines.push(`${problem ? 'FAIL' : 'ok  '} coordinator: ${problem ?? 'reading the store'}`);
      lines.push(`ok   worktrees watched: ${this.worktrees.roots().join(', ') || '(none)'}`);
      lines.push(`ok   transcripts: Claude ${this.transcripts.claudeRoot}, Codex ${this.transcripts.codexRoot}`);
      lines.push(`ok   model: revision ${this.revision}, ${this.model.sessions.length} sessions, ${this.model.leases.length} leases`);
      if (report.checks.some((c) => c.repaired)) this.refreshAfterWrite();
      return { text: lines.join('\n'), ok: report.healthy && (team?.healthy ?? true) && !problem };
    },

    installHooks: async ({ agent, scope }) => {
      try {
        const result = await installHooksFor(agent, scope, this.location.worktreeRoot, this.location.commonDir, this.opts.env ?? process.env);
        this.recordLockstepWrites(result.files);
        this.checkHooks();
        return result;
      } catch (e) {
        throw new CoordinatorRequestError(`installHooks: ${(e as Error).message.split('\n')[0]}`);
      }
    },

    setConfig: async (params) => {
      const current = this.storeTracker.config;
      const next = { ...current };
      if (params.ttlSeconds !== undefined) next.ttlSeconds = params.ttlSeconds;
      if (params.failOpen !== undefined) next.failOpen = params.failOpen;
      if (params.scopePolicy !== undefined) next.scopePolicy = params.scopePolicy;
      if (params.store !== undefined) {
        if (params.store.trim() === 'embedded') delete next.store;
        else next.store = params.store.trim();
        try {
          chooseStore(this.location.commonDir, {}, next); // a team store needs a team key: refuse before writing
        } catch (e) {
          throw new CoordinatorRequestError(`setConfig: ${(e as Error).message}`);
        }
      }
      this.store.setConfig(next);
      this.refreshAfterWrite();
      return { ...configView(next), ...this.storeView(next) };
    },

    getStatusText: async () => statusText(this.model, this.opts.userSession),
  };
}

function configView(c: { ttlSeconds?: number; failOpen?: boolean; scopePolicy?: 'deny' | 'warn' | 'off' }): CoordinatorConfig {
  return { ttlSeconds: c.ttlSeconds ?? DEFAULT_TTL_MS / 1000, failOpen: c.failOpen ?? false, scopePolicy: c.scopePolicy ?? 'deny' };
}

function leaseView(l: Lease): LeaseView {
  return { key: l.key, session: l.session, fence: l.fence, acquiredAt: l.acquiredAt, expiresAt: l.expiresAt, task: l.task };
}

export function statusText(model: ModelCollections, userSession: string): RequestResult<'getStatusText'> {
  const agents = model.sessions.filter((s: SessionView) => s.live && s.id !== userSession);
  const mine = model.leases.filter((l) => l.session === userSession).length;
  const theirs = model.leases.length - mine;
  const parts = [plural(agents.length, 'agent'), plural(theirs, 'lock')];
  if (mine > 0) parts.push(`${mine} mine`);
  if (model.unleased.length > 0) parts.push(plural(model.unleased.length, 'unleased edit'));
  const tooltip = [
    ...agents.map((s) => `${s.id}${s.task ? ` (task '${s.task}')` : ''} — ${model.leases.filter((l) => l.session === s.id).length} locks`),
    ...model.unleased.slice(0, 20).map((u) => `unleased: ${u.key} in ${u.worktree}${u.shellBy ? ` (probably ${u.shellBy}, shell)` : ''}`),
    ...model.endedWork.slice(0, 20).map((e) => `uncommitted work of ended session ${e.session}: ${e.key}`),
  ];
  return { text: `Lockstep: ${parts.join(' · ')}`, tooltip: tooltip.join('\n') || 'No agent sessions' };
}
