// Keeps one MatrixModel current from successive inputs: compares each participant with what the
// model last saw and applies only the changes (a lease or edit → that row's live parts, a new scope →
// that row's planned parts, a merge result → that one pair), then renders the MatrixState the
// protocol carries (counts per pair) and, on request, the files of one pair.
import type { ScopeIndex } from '../core/globOverlap';
import { MatrixModel, type MatrixParticipant, type OverlapKind } from '../core/matrix';
import type { Plan } from '../core/plan';
import type { MatrixCellDetail, MatrixCellSummary, MatrixParticipantView, MatrixState, WavesView } from '../protocol/matrixMethods';
import type { DerivedParticipant } from './matrixParticipants';

export interface MergeFact {
  tasks: [string, string];
  paths: readonly string[];
}

export interface MatrixInput {
  plannedOnly: boolean;
  repoRoot: string;
  plan: MatrixState['plan'];
  planValue?: Plan;
  index: ScopeIndex;
  participants: readonly DerivedParticipant[];
  /** Every merge-simulated pair (clean ones with no paths). */
  merges: readonly MergeFact[];
  mergeSummary: MatrixState['merge'];
  waves: WavesView | null;
}

export interface TrackerUpdate {
  /** Anything visible changed. */
  changed: boolean;
  /** Pairs the model recomputed for this input. */
  pairsRecomputed: number;
  /** The model was built from scratch (first input). */
  rebuilt: boolean;
}

/** Every participant can be messaged: a task's agent through the task's mailbox, a session through its own. */
const MAILBOX = { available: true as const };

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** What the state shows besides the cells: plan, waves, merge summary, participants' headers. */
function viewsJsonOf(input: MatrixInput): string {
  return JSON.stringify([input.plan, input.waves, input.mergeSummary, input.participants.map((p) => p.view)]);
}

function pairKey(x: string, y: string): string {
  return x < y ? `${x}\0${y}` : `${y}\0${x}`;
}

export class MatrixTracker {
  private model: MatrixModel | undefined;
  private index: ScopeIndex | undefined;
  private seen = new Map<string, MatrixParticipant>();
  private views = new Map<string, MatrixParticipantView>();
  private order: string[] = [];
  private mergeSeen = new Map<string, readonly string[]>();
  private input: MatrixInput | undefined;
  private viewsJson = '';

  /** Applies a new input; returns what changed. */
  update(input: MatrixInput): TrackerUpdate {
    const prev = this.input;
    this.input = input;
    const ids = input.participants.map((p) => p.model.id);
    if (!this.model) {
      this.model = new MatrixModel(
        input.participants.map((p) => p.model),
        input.index,
        {
          // The grid needs counts only; files are listed on request (cellFiles, without a limit).
          fileLimit: 1,
          merge: input.merges.filter((m) => m.paths.length > 0).map((m) => ({ tasks: m.tasks, paths: m.paths })),
        },
      );
      this.index = input.index;
      this.remember(input);
      return { changed: true, pairsRecomputed: this.model.lastRecomputed, rebuilt: true };
    }
    const model = this.model;
    let pairs = 0;
    let changed = false;
    const apply = (c: Parameters<MatrixModel['update']>[0]) => {
      pairs += model.update(c).pairsRecomputed;
      changed = true;
    };
    const next = new Map(input.participants.map((p) => [p.model.id, p.model] as const));
    for (const id of this.seen.keys()) if (!next.has(id)) apply({ kind: 'remove', task: id });
    if (input.index !== this.index) {
      this.index = input.index;
      apply({ kind: 'index', index: input.index });
    }
    for (const p of input.participants) {
      const m = p.model;
      const old = this.seen.get(m.id);
      if (!old) {
        apply({ kind: 'add', participant: m });
        continue;
      }
      if (!sameList(old.scope, m.scope) || Boolean(old.readOnly) !== Boolean(m.readOnly)) apply({ kind: 'scope', task: m.id, scope: m.scope ?? [], readOnly: m.readOnly });
      if (!sameList(old.leased, m.leased) || !sameList(old.edited, m.edited)) apply({ kind: 'live', task: m.id, leased: m.leased ?? [], edited: m.edited ?? [] });
      if (!sameList(old.branch, m.branch)) apply({ kind: 'branch', task: m.id, files: m.branch ?? [] });
      if (old.status !== m.status && m.status !== undefined) apply({ kind: 'status', task: m.id, status: m.status });
    }
    const present = new Set(ids);
    const merges = new Map<string, MergeFact>();
    for (const m of input.merges) if (present.has(m.tasks[0]) && present.has(m.tasks[1])) merges.set(pairKey(...m.tasks), m);
    for (const [key, paths] of this.mergeSeen) {
      const [x, y] = key.split('\0') as [string, string];
      if (!merges.has(key) && paths.length > 0 && present.has(x) && present.has(y)) apply({ kind: 'merge', tasks: [x, y], paths: [] });
    }
    for (const [key, m] of merges) {
      const old = this.mergeSeen.get(key) ?? [];
      if (!sameList(old, m.paths)) apply({ kind: 'merge', tasks: m.tasks, paths: m.paths });
    }
    if (!sameList(prev ? prev.participants.map((p) => p.model.id) : [], ids)) changed = true;
    if (viewsJsonOf(input) !== this.viewsJson) changed = true;
    this.remember(input);
    return { changed, pairsRecomputed: pairs, rebuilt: false };
  }

  private remember(input: MatrixInput): void {
    this.seen = new Map(input.participants.map((p) => [p.model.id, p.model] as const));
    this.views = new Map(input.participants.map((p) => [p.model.id, p.view] as const));
    this.order = input.participants.map((p) => p.model.id);
    this.mergeSeen = new Map(input.merges.map((m) => [pairKey(...m.tasks), m.paths] as const));
    this.viewsJson = viewsJsonOf(input);
  }

  /** Pairs with any overlap, counts only, in participant order. */
  cells(): MatrixCellSummary[] {
    const model = this.model;
    if (!model) return [];
    const out: MatrixCellSummary[] = [];
    const ids = this.order;
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const c = model.cell(ids[i]!, ids[j]!);
        if (!c || c.strongest === 'none') continue;
        out.push({ a: ids[i]!, b: ids[j]!, strongest: c.strongest, count: c.count, planned: c.planned.count, plannedGlobs: c.planned.globs.length, live: c.live.count, merge: c.merge.count });
      }
    }
    return out;
  }

  state(revision: number, computedAt = Date.now()): MatrixState {
    const input = this.input;
    if (!input) throw new Error('matrix: no input yet');
    return {
      revision,
      computedAt,
      plannedOnly: input.plannedOnly,
      repoRoot: input.repoRoot,
      plan: input.plan,
      participants: this.order.map((id) => this.views.get(id)!),
      cells: this.cells(),
      waves: input.waves,
      merge: input.mergeSummary,
      mailbox: MAILBOX,
    };
  }

  /** The files of one pair, per kind, at most `limit` per kind. Throws for unknown ids. */
  cell(x: string, y: string, limit = 500): MatrixCellDetail {
    const model = this.model;
    const known = (id: string) => this.views.has(id);
    if (!model || !known(x)) throw new MatrixLookupError(`unknown task or session '${x}'`);
    if (!known(y)) throw new MatrixLookupError(`unknown task or session '${y}'`);
    if (x === y) throw new MatrixLookupError('a and b must name two different tasks or sessions');
    const c = model.cell(x, y)!;
    // Report in the order asked for; the model orders by participant order.
    const part = (kind: Exclude<OverlapKind, 'none'>, count: number) => {
      const files = model.cellFiles(x, y, kind);
      return { count, files: files.slice(0, limit).map((f) => ({ path: f.path, why: [...f.why] })), truncated: files.length > limit };
    };
    const va = this.views.get(x)!;
    const vb = this.views.get(y)!;
    const diff = va.branch && vb.branch
      ? { available: true as const, left: va.branch, right: vb.branch }
      : { available: false as const, reason: `a diff needs both branches; ${[va, vb].filter((v) => !v.branch).map((v) => `'${v.id}' has none${v.kind === 'session' ? ' (a session)' : ' yet'}`).join(', ')}` };
    return {
      a: x,
      b: y,
      strongest: c.strongest,
      planned: { ...part('planned', c.planned.count), globs: c.planned.globs.map(([g, h]) => [g, h] as [string, string]) },
      live: part('live', c.live.count),
      merge: part('merge', c.merge.count),
      diff,
    };
  }

  participantView(id: string): MatrixParticipantView | undefined {
    return this.views.get(id);
  }
}

export class MatrixLookupError extends Error {
  override readonly name = 'MatrixLookupError';
}
