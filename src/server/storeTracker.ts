// Follows the lease store (`<git common dir>/lockstep/`): re-reads the lease table (its slot files) and config.json when
// they change, and every POLL_MS ends the sessions whose agent process has exited, so their leases
// are freed within a second and the journal says why.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LivenessMonitor } from '../process/processLiveness';
import { emptyState, type LeaseTableState } from '../core/model';
import type { LeaseStore } from '../store/leaseStore';
import type { StoreConfig } from '../store/storeConfig';
import { CoalescingRunner } from './coalescingRunner';
import { watchDirectories, type DirectoryWatcher } from './directoryWatch';

export const POLL_MS = 250;

export interface StoreTrackerOptions {
  store: LeaseStore;
  onChange: () => void;
  log: (message: string) => void;
}

export class StoreTracker {
  state: LeaseTableState = emptyState();
  config: StoreConfig = {};
  /** The last read problem (no intact lease table…), shown by doctor; cleared by a good read. */
  problem: string | undefined;
  private watcher: DirectoryWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private readonly reload: CoalescingRunner;
  private readonly liveness = new LivenessMonitor();
  private stamp = '';
  private unwatch: (() => void) | undefined;
  private configStamp = '';

  constructor(private readonly opts: StoreTrackerOptions) {
    this.reload = new CoalescingRunner(async () => this.readNow(), 15, (e) => opts.log(`store: ${String(e)}`));
  }


  private get configPath(): string {
    return path.join(this.opts.store.dir, 'config.json');
  }

  start(): void {
    this.readNow();
    const dir = this.opts.store.dir;
    this.watcher = watchDirectories(dir, {
      ignoreDir: () => true,
      onEvent: () => this.reload.trigger(),
      onReady: () => this.reload.trigger(),
      onError: (e) => this.opts.log(`watching ${dir}: ${String(e)}`),
    });
    this.poll = setInterval(() => this.tick(), POLL_MS);
    // The team store pushes its commits (pub/sub): read at once instead of at the next poll; after a
    // reconnection read again whatever the stamp says (resync), and show a lost connection at once.
    try {
      this.unwatch = this.opts.store.watch?.((e) => {
        if (e.kind === 'down') return this.fail(new Error(e.error));
        if (e.kind === 'up') this.stamp = '';
        this.reload.trigger();
      });
    } catch (e) {
      this.fail(e); // unreachable at start: the poll keeps trying, and the subscriber reconnects by itself
    }
  }

  async close(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    this.unwatch?.();
    this.reload.close();
    await this.watcher?.close().catch(() => undefined);
  }

  /** Re-reads the store if its files changed (stat only when they did not). */
  readNow(): void {
    let stamp: string;
    try {
      stamp = this.opts.store.stateStamp();
    } catch (e) {
      // The team store cannot be reached: say so (status bar, doctor) and read it again when it answers.
      this.fail(e);
      this.stamp = '';
      return;
    }
    const configStamp = fileStamp(this.configPath);
    if (stamp === this.stamp && configStamp === this.configStamp) return;
    let changed = false;
    if (stamp !== this.stamp) {
      try {
        this.state = this.opts.store.read();
        this.stamp = stamp;
        this.problem = undefined;
        changed = true;
      } catch (e) {
        this.fail(e);
        this.stamp = stamp; // do not re-read a corrupt file until it changes
      }
    }
    if (configStamp !== this.configStamp) {
      this.configStamp = configStamp;
      try {
        this.config = this.opts.store.config();
        changed = true;
      } catch (e) {
        this.opts.log(e instanceof Error ? e.message : String(e));
      }
    }
    if (changed) this.opts.onChange();
  }

  private fail(e: unknown): void {
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
    if (message === this.problem) return;
    this.opts.log(message);
    this.problem = message;
    this.opts.onChange();
  }

  private tick(): void {
    // A missed file event costs at most one poll interval.
    this.readNow();
    const dead = this.liveness.deadSessions(Object.values(this.state.sessions));
    if (dead.length === 0) return;
    try {
      this.opts.store.transact((t) => {
        for (const d of dead) if (t.liveSession(d.id)) t.endSession(d.id, d.reason, { died: true });
      });
    } catch (e) {
      this.opts.log(`ending dead sessions: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.readNow();
  }
}

function fileStamp(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return 'absent';
  }
}
