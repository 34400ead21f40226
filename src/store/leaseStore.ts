// The store interface every writer and reader uses (hooks, CLI, coordinator server). Two
// implementations: the embedded store (embeddedStore.ts, the default) and the team store on Redis
// (redisStore.ts); openLeaseStore.ts picks the configured one.
import type { LeaseTable } from '../core/leaseTable';
import type { LeaseTableState } from '../core/model';
import type { JournalRead } from './journalFile';
import type { StoreConfig } from './storeConfig';
import type { StorePaths } from './storePaths';

export interface LeaseStore {
  /** The folder holding the store's files. */
  readonly dir: string;
  /** The repository's local store folder (config.json, decision log, mailboxes, logs), in team mode too. */
  readonly paths: StorePaths;
  /**
   * Runs `fn` on the lease table in one atomic, mutually exclusive transaction: the table is swept
   * (expired leases, dead holders) first; the new state and its journal lines are persisted only
   * when the table changed and `fn` returned normally (a throw changes nothing). The team store may
   * run `fn` more than once (another machine committed first): `fn` must touch nothing but the table.
   */
  transact<T>(fn: (table: LeaseTable) => T): T;
  /**
   * transact() that first tries `fn` on a lock-free snapshot and returns its outcome without the
   * lock when that outcome is only a denial. `fn` must touch nothing but the table (it may run twice).
   */
  transactUnlessDenied<T>(fn: (table: LeaseTable) => T): T;
  /** A consistent snapshot, without taking the lock (not swept: expired leases may still show). */
  read(): LeaseTableState;
  /** Cheap (stat only): changes whenever a transaction commits a new table. */
  stateStamp(): string;
  readJournal(fromOffset?: number): JournalRead;
  config(): StoreConfig;
  setConfig(config: StoreConfig): void;
  /**
   * Live updates, for long-lived readers (the coordinator), where the store pushes them (the team
   * store: Redis pub/sub). 'up' follows every (re)connection: re-read then. Returns the unsubscribe.
   */
  watch?(listener: (e: StoreEvent) => void): () => void;
}

export type StoreEvent = { kind: 'changed' } | { kind: 'up' } | { kind: 'down'; error: string };
