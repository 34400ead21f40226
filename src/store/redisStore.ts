// The team store: the lease table of one repository (its team key) on a Redis server, shared by
// every clone on every machine. Same contract and same rules (core/leaseTable.ts) as the embedded
// store; only where the table lives differs.
//
// A transaction reads the table, its version, the fence counter and the server's clock in one
// script (READ_SCRIPT), runs the rules on it with the server's time as "now" (TTLs never trust a
// client's clock), then commits in one script (COMMIT_SCRIPT) that writes only if the version is
// still the one read and the writer is still waiting for it (a deadline on the server clock), and
// refuses a fence below the counter. Another commit in between makes it
// run the rules again on the newer table (optimistic concurrency): `fn` may therefore run more than
// once, as with transactUnlessDenied. A commit is atomic on the server: the table, the fence
// counter, the version, the journal and the change notification move together or not at all.
//
// Local things stay in the repository's store folder: config.json (including which store to use)
// and scheduler logs. The decision log and mailboxes are on the same server (redisMemory.ts).
import { LeaseTable, type ProcessVerdict, type RuleContext } from '../core/leaseTable';
import { JournalEntry, withOwnRecords, emptyState, type LeaseTableState, type ProcessIdentity } from '../core/model';
import { processVerdict as agentProcessVerdict } from '../process/processLiveness';
import { newOwnerToken, onlyObservedDenials } from './embeddedStore';
import { sleepSync } from './fileLock';
import type { JournalRead } from './journalFile';
import type { LeaseStore, StoreEvent } from './leaseStore';
import { displayUrl, redisBridge, type RedisBridge } from './redisBridge';
import type { ScriptName } from './redisBridgeProtocol';
import { JOURNAL_KEEP, teamKeys } from './redisScripts';
import { readStoreConfig, writeStoreConfig, type StoreConfig } from './storeConfig';
import { StoreCorruptError, StoreError } from './storeErrors';
import { storePaths, type StorePaths } from './storePaths';

export interface RedisStoreOptions {
  /** How long a transaction keeps retrying when other commits keep coming first (default 10 s). */
  lockTimeoutMs?: number;
  processVerdict?: (identity: ProcessIdentity) => ProcessVerdict;
}

interface Snapshot {
  version: number;
  /** The table's JSON as stored ('' before the first commit). */
  body: string;
  state: LeaseTableState;
  /** The server's clock (ms) when the snapshot was read. */
  now: number;
  /** The writer holding the commit turn ('' for none). */
  turn: string;
}

/** Commits lost in a row before a writer takes the commit turn, and how long a turn lasts at most. */
const LOSSES_BEFORE_TURN = 3;
const TURN_MS = 2000;

export class RedisStore implements LeaseStore {
  readonly paths: StorePaths;
  readonly keys: ReturnType<typeof teamKeys>;
  private readonly bridge: RedisBridge;

  constructor(
    commonDir: string,
    readonly url: string,
    readonly teamKey: string,
    private readonly opts: RedisStoreOptions = {},
  ) {
    this.paths = storePaths(commonDir);
    this.keys = teamKeys(teamKey);
    this.bridge = redisBridge(url);
  }

  get dir(): string {
    return this.paths.dir;
  }

  /** Where the table lives, for messages: the URL without its password, and the team key. */
  describe(): string {
    return `${displayUrl(this.url)} (team ${this.teamKey})`;
  }

  config(): StoreConfig {
    try {
      return readStoreConfig(this.paths.config);
    } catch (e) {
      throw new StoreError(`${(e as Error).message}; fix or delete it`);
    }
  }

  setConfig(config: StoreConfig): void {
    writeStoreConfig(this.paths.config, config);
  }

  private script(script: ScriptName, keys: string[], args: Array<string | number>): unknown {
    return this.bridge.call({ op: 'script', script, keys, args });
  }

  private snapshot(): Snapshot {
    const k = this.keys;
    const [version, body, fence, now, turn] = this.script('lockstepRead', [k.state, k.version, k.fence, k.turn], []) as [string, string, string, string, string];
    let state: LeaseTableState;
    if (body === '') state = emptyState();
    else {
      try {
        state = withOwnRecords(JSON.parse(body) as LeaseTableState);
      } catch {
        throw new StoreCorruptError(`the lease table in ${this.describe()} is not valid JSON`);
      }
      if (state?.version !== 1) throw new StoreCorruptError(`the lease table in ${this.describe()} has an unknown format`);
    }
    // The counter is the authority: a table written by anything else can never lower it.
    state.fence = Math.max(state.fence, Number(fence));
    return { version: Number(version), body, state, now: Number(now), turn: turn ?? '' };
  }

  read(): LeaseTableState {
    return this.snapshot().state;
  }

  stateStamp(): string {
    return `redis:${String(this.bridge.call({ op: 'get', key: this.keys.version }) ?? '0')}`;
  }

  readJournal(fromOffset = 0): JournalRead {
    const k = this.keys;
    const [first, rotated, ...lines] = this.script('lockstepJournal', [k.journal, k.journalBase], [fromOffset]) as [string, number, ...string[]];
    const entries: JournalEntry[] = [];
    let skipped = 0;
    for (const line of lines) {
      try {
        entries.push(JournalEntry.parse(JSON.parse(line)));
      } catch {
        skipped++;
      }
    }
    return { entries, nextOffset: Number(first) + lines.length, ...(rotated ? { rotated: true } : {}), ...(skipped ? { skipped } : {}) };
  }

  private ruleContext(config: StoreConfig, now: number): RuleContext {
    return {
      now,
      ttlMs: config.ttlSeconds !== undefined ? config.ttlSeconds * 1000 : undefined,
      newToken: newOwnerToken,
      processVerdict: this.opts.processVerdict ?? agentProcessVerdict,
      scopePolicy: config.scopePolicy,
    };
  }

  private run<T>(snap: Snapshot, fn: (table: LeaseTable) => T): { table: LeaseTable; result: T; seenBefore: Map<string, number> } {
    const seenBefore = new Map(Object.values(snap.state.sessions).map((s) => [s.id, s.lastSeen]));
    const table = new LeaseTable(snap.state, this.ruleContext(this.config(), snap.now));
    table.sweep();
    const result = fn(table);
    return { table, result, seenBefore };
  }

  private appendJournal(entries: readonly JournalEntry[]): void {
    if (entries.length === 0) return;
    const k = this.keys;
    this.script('lockstepAppend', [k.journal, k.journalBase], [JOURNAL_KEEP, ...entries.map((e) => JSON.stringify(e))]);
  }

  /** Live updates through pub/sub on the team's channel (see LeaseStore.watch). */
  watch(listener: (e: StoreEvent) => void): () => void {
    return this.bridge.watch(this.keys.channel, (e) => listener(e.kind === 'down' ? { kind: 'down', error: `team store ${this.describe()} unreachable: ${e.error}` } : e));
  }

  // ---- what doctor asks the server (teamDoctor.ts) ---------------------------------------------------

  /** The server's clock (ms), by the same script clock as every TTL. */
  serverTime(): number {
    return Number(this.script('lockstepTime', [], []));
  }

  /** `INFO <section>` as key → value. */
  serverInfo(section: string): Map<string, string> {
    const text = String(this.bridge.call({ op: 'info', section }) ?? '');
    const out = new Map<string, string>();
    for (const line of text.split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1).trim());
    }
    return out;
  }

  /** `CONFIG GET <parameter>`'s value (throws when the server refuses CONFIG, as managed services may). */
  serverConfig(parameter: string): string | undefined {
    const pairs = this.bridge.call({ op: 'config-get', parameter }) as string[] | null;
    return pairs && pairs.length >= 2 ? String(pairs[1]) : undefined;
  }

  /** Nothing waits for a lock here: a denial is always answered from the snapshot it was decided on. */
  transactUnlessDenied<T>(fn: (table: LeaseTable) => T): T {
    return this.transact(fn);
  }

  /**
   * Reads, runs the rules, commits; again (with a fresh read) while other commits come first. After
   * LOSSES_BEFORE_TURN lost commits in a row the writer takes the commit turn (TURN_SCRIPT), so many
   * contending writers cannot starve one; a writer seeing another's turn waits for it.
   */
  transact<T>(fn: (table: LeaseTable) => T): T {
    const deadline = Date.now() + (this.opts.lockTimeoutMs ?? 10_000);
    const k = this.keys;
    const token = newOwnerToken();
    let losses = 0;
    let hasTurn = false;
    try {
      for (let attempt = 1; ; attempt++) {
        const snap = this.snapshot();
        const { table, result, seenBefore } = this.run(snap, fn);
        if (!table.changed) return result;
        // A denial changes no lease: journaled only (as in the embedded store), no commit to contend for.
        if (onlyObservedDenials(table, snap.body, seenBefore)) {
          this.appendJournal(table.journal);
          return result;
        }
        if (snap.turn === '' || snap.turn === token) {
          // The commit is sent after the read, so it cannot time out here before snap.now + timeoutMs
          // on the server's clock: past that, the script refuses (a late commit is never applied).
          const args = [snap.version, JSON.stringify(table.state), table.state.fence, k.channel, JOURNAL_KEEP, token, snap.now + this.bridge.timeoutMs, ...table.journal.map((e) => JSON.stringify(e))];
          const [committed] = this.script('lockstepCommit', [k.state, k.version, k.fence, k.journal, k.journalBase, k.turn], args) as [number, string];
          if (committed === 1) {
            hasTurn = false; // the commit gave it back
            return result;
          }
          losses++;
        }
        if (Date.now() > deadline) throw new StoreError(`team store ${this.describe()}: ${losses} commits lost to other writers and ${attempt - losses} waits for their commit turn in ${Math.round((this.opts.lockTimeoutMs ?? 10_000) / 1000)} s; try again`);
        if (losses >= LOSSES_BEFORE_TURN && !hasTurn) hasTurn = Number(this.script('lockstepTurn', [k.turn], [token, TURN_MS])) === 1;
        // Another commit came first, or another writer has the turn: run the rules again on the newer table, after a short random pause.
        if (!hasTurn) sleepSync(Math.random() * Math.min(2 * attempt, 20));
      }
    } finally {
      if (hasTurn) {
        try {
          this.script('lockstepTurnRelease', [k.turn], [token]);
        } catch {
          /* it expires by itself */
        }
      }
    }
  }
}
