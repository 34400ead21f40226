// The live matrix of one repository: on each refresh gathers the plan, tracked files, task branches
// and "who is editing what", and feeds them to a MatrixTracker, which updates only what changed.
// Git results are cached by commit (MatrixGit), the tracked-file index by the checkout's index file.
// Used by the server (matrixHost.ts, fed by the coordinator) and by `lockstep matrix` (fed by the
// store and `git status`).
import { performance } from 'node:perf_hooks';
import type { ScopeIndex } from '../core/globOverlap';
import type { TaskRuntime } from '../core/task';
import { locateRepo } from '../repoPaths/repoLocator';
import type { MatrixCellDetail, MatrixState } from '../protocol/matrixMethods';
import { TrackedScopeIndex } from '../scheduler/trackedScopeIndex';
import { MatrixGit } from '../git/matrixGit';
import type { EditingFacts } from './matrixParticipants';
import { buildMatrixInput, readPlanFacts, type PlanFacts } from './matrixSources';
import { MatrixTracker } from './matrixTracker';
import { ownRecord } from '../core/ownRecord';

export interface EngineFacts {
  editing: EditingFacts;
  runtime: Readonly<Record<string, TaskRuntime>>;
}

export interface MatrixEngineOptions {
  /** Top of the checkout whose plan and tracked files count. */
  root: string;
  /** That checkout's own git dir (holds its `index`). */
  gitDir: string;
  /** Live facts at refresh time. */
  facts: () => EngineFacts | Promise<EngineFacts>;
  plannedOnly?: boolean;
  planFile?: string;
}

export interface RefreshResult {
  changed: boolean;
  pairsRecomputed: number;
  /** Wall time of the whole refresh and of its parts (ms). */
  ms: number;
  gatherMs: number;
  updateMs: number;
}

export class MatrixEngine {
  readonly git: MatrixGit;
  readonly tracker = new MatrixTracker();
  private readonly index: TrackedScopeIndex;
  private readonly planCache: { text?: string; facts?: PlanFacts } = {};
  private lastPlan: PlanFacts | undefined;
  private lastRuntime: Readonly<Record<string, TaskRuntime>> = ownRecord();
  private revision = 0;
  private stateJson = '';
  private current: MatrixState | undefined;
  private lastIndex: ScopeIndex | undefined;
  private refreshed = false;

  constructor(private readonly opts: MatrixEngineOptions) {
    this.git = new MatrixGit(opts.root, locateRepo(opts.root).commonDir);
    this.index = new TrackedScopeIndex(opts.root, opts.gitDir);
  }

  get root(): string {
    return this.opts.root;
  }

  get hasState(): boolean {
    return this.refreshed;
  }

  /** The plan as last read (after a refresh). */
  plan(): PlanFacts {
    return this.lastPlan ?? readPlanFacts(this.opts.root, this.planCache, this.opts.planFile);
  }

  runtime(): Readonly<Record<string, TaskRuntime>> {
    return this.lastRuntime;
  }

  async trackedIndex(): Promise<ScopeIndex> {
    return this.sameFiles(await this.index.get());
  }

  /** Re-reads every source and updates the matrix; `changed` when the visible state differs. */
  async refresh(): Promise<RefreshResult> {
    const t0 = performance.now();
    const planFacts = readPlanFacts(this.opts.root, this.planCache, this.opts.planFile);
    const [fresh, facts] = await Promise.all([this.index.get(), this.opts.facts()]);
    const index = this.sameFiles(fresh);
    const input = await buildMatrixInput({
      repoRoot: this.opts.root,
      planFacts,
      index,
      runtime: facts.runtime,
      editing: facts.editing,
      git: this.git,
      plannedOnly: this.opts.plannedOnly ?? false,
    });
    const t1 = performance.now();
    const r = this.tracker.update(input);
    this.lastPlan = planFacts;
    this.lastRuntime = facts.runtime;
    this.refreshed = true;
    let changed = false;
    if (r.changed || !this.current) {
      const next = this.tracker.state(this.revision + 1);
      const json = JSON.stringify({ ...next, revision: 0, computedAt: 0 });
      if (json !== this.stateJson) {
        this.stateJson = json;
        this.revision++;
        this.current = next;
        changed = true;
      }
    }
    const t2 = performance.now();
    return { changed, pairsRecomputed: r.pairsRecomputed, ms: t2 - t0, gatherMs: t1 - t0, updateMs: t2 - t1 };
  }

  /** The state of the last refresh that changed it. */
  state(): MatrixState {
    if (!this.current) throw new Error('matrix: not refreshed yet');
    return this.current;
  }

  /**
   * The same ScopeIndex object when the tracked files did not change (the checkout's index file is
   * rewritten by many git commands): then the model keeps every planned part.
   */
  private sameFiles(fresh: ScopeIndex): ScopeIndex {
    const old = this.lastIndex;
    if (old && old !== fresh && old.size === fresh.size && old.files.every((f, i) => f === fresh.files[i])) return old;
    this.lastIndex = fresh;
    return fresh;
  }

  cell(a: string, b: string, limit?: number): MatrixCellDetail {
    return this.tracker.cell(a, b, limit);
  }
}
