// The conflict matrix: for every pair of tasks/sessions, where they collide and how badly.
// - planned: both tasks' scopes contain the file (tracked files), or their globs may overlap;
// - live: both have touched the file (leased it, edited it, or changed it on their branch);
// - merge: git reports a conflict on the file when merging their branches (computed elsewhere).
// merge > live > planned. MatrixModel keeps per-pair results and, on a change, recomputes only the
// affected row (or the one pair for a merge result); it counts recomputed pairs so tests can check it.
import type { FileSet, ScopeIndex } from './globOverlap';
import { globsMayOverlap } from './globOverlap';
import type { TaskStatus } from './task';

export type OverlapKind = 'none' | 'planned' | 'live' | 'merge';
const RANK: Record<OverlapKind, number> = { none: 0, planned: 1, live: 2, merge: 3 };

export interface MatrixParticipant {
  id: string;
  /** A planned task, or a session not tied to a task (a human, an ad-hoc agent). */
  kind: 'task' | 'session';
  /** Globs the task may write (tasks only). */
  scope?: readonly string[];
  readOnly?: boolean;
  status?: TaskStatus;
  /** Keys it holds leases on (for a task: all its sessions' leases). */
  leased?: readonly string[];
  /** Keys it edited: recorded edits and uncommitted changes in its worktree. */
  edited?: readonly string[];
  /** Files changed on its branch since the merge base with the target. */
  branch?: readonly string[];
}

export interface AnnotatedFile {
  path: string;
  /** Who holds/changed it and why, one entry per side: `api: scope src/api/**`, `web: leased, edited`. */
  why: string[];
}

export interface CellPart {
  /** Number of files (exact, even when `files` is truncated). */
  count: number;
  files: AnnotatedFile[];
  truncated: boolean;
}

export interface MatrixCell {
  /** Ids of the pair, `a` before `b` in participant order. */
  a: string;
  b: string;
  /** `globs`: glob pairs [globOfA, globOfB] that share files or whose patterns may overlap. */
  planned: CellPart & { globs: [string, string][] };
  live: CellPart;
  merge: CellPart;
  strongest: OverlapKind;
  /** Files of the strongest kind (0 for `none`, and for a planned overlap of patterns only). */
  count: number;
}

export interface MergeResult {
  tasks: [string, string];
  /** Paths git reports as conflicting when merging the two branches; empty for a clean merge. */
  paths: readonly string[];
}

export type MatrixChange =
  | { kind: 'scope'; task: string; scope: readonly string[]; readOnly?: boolean }
  | { kind: 'live'; task: string; leased?: readonly string[]; edited?: readonly string[] }
  | { kind: 'branch'; task: string; files: readonly string[] }
  | { kind: 'merge'; tasks: [string, string]; paths: readonly string[] }
  | { kind: 'status'; task: string; status: TaskStatus }
  | { kind: 'add'; participant: MatrixParticipant }
  | { kind: 'remove'; task: string }
  /** The tracked files changed (new index): every planned part is recomputed. */
  | { kind: 'index'; index: ScopeIndex };

export interface MatrixOptions {
  /** At most this many files per part are listed (counts stay exact; `cellFiles` lists all); default 20. */
  fileLimit?: number;
  merge?: Iterable<MergeResult>;
}

interface Row {
  p: MatrixParticipant;
  order: number;
  /** file → what this participant did to it, for the live kind. */
  touched: Map<string, string[]>;
}

interface PlannedPart {
  count: number;
  globs: [string, string][];
  materialized?: CellPart & { globs: [string, string][] };
}

interface PairState {
  a: string;
  b: string;
  planned: PlannedPart;
  live: CellPart;
  merge: CellPart;
}

function emptyPart(): CellPart {
  return { count: 0, files: [], truncated: false };
}

function touchedOf(p: MatrixParticipant): Map<string, string[]> {
  const m = new Map<string, string[]>();
  const mark = (files: readonly string[] | undefined, what: string) => {
    for (const f of files ?? []) {
      const w = m.get(f);
      if (!w) m.set(f, [what]);
      else if (!w.includes(what)) w.push(what);
    }
  };
  mark(p.leased, 'leased');
  mark(p.edited, 'edited');
  mark(p.branch, 'changed on branch');
  return m;
}

export class MatrixModel {
  private readonly rows = new Map<string, Row>();
  private readonly pairs = new Map<string, PairState>();
  private readonly mergeInput = new Map<string, readonly string[]>();
  private index: ScopeIndex;
  private readonly fileLimit: number;
  private nextOrder = 0;
  /** Pairs whose parts the last `update` (or the constructor) recomputed. */
  lastRecomputed = 0;
  /** Pairs recomputed since construction, constructor included. */
  totalRecomputed = 0;

  constructor(participants: Iterable<MatrixParticipant>, index: ScopeIndex, opts: MatrixOptions = {}) {
    this.index = index;
    this.fileLimit = opts.fileLimit ?? 20;
    for (const m of opts.merge ?? []) this.mergeInput.set(this.unorderedKey(m.tasks[0], m.tasks[1]), [...m.paths]);
    let n = 0;
    for (const p of participants) {
      if (this.rows.has(p.id)) throw new Error(`matrix: duplicate participant '${p.id}'`);
      this.rows.set(p.id, { p: { ...p }, order: this.nextOrder++, touched: touchedOf(p) });
    }
    const ids = [...this.rows.keys()];
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        this.pairs.set(this.key(ids[i], ids[j]), this.computePair(ids[i], ids[j]));
        n++;
      }
    }
    this.lastRecomputed = n;
    this.totalRecomputed = n;
  }

  /** Applies one change; returns how many pairs were recomputed (also in `lastRecomputed`). */
  update(change: MatrixChange): { pairsRecomputed: number } {
    let n = 0;
    switch (change.kind) {
      case 'scope': {
        const row = this.row(change.task);
        row.p = { ...row.p, scope: [...change.scope], readOnly: change.readOnly ?? row.p.readOnly };
        n = this.forRow(change.task, (pair) => {
          pair.planned = this.computePlanned(pair.a, pair.b);
        });
        break;
      }
      case 'live': {
        const row = this.row(change.task);
        row.p = { ...row.p, leased: change.leased ?? row.p.leased, edited: change.edited ?? row.p.edited };
        row.touched = touchedOf(row.p);
        n = this.forRow(change.task, (pair) => {
          pair.live = this.computeLive(pair.a, pair.b);
        });
        break;
      }
      case 'branch': {
        const row = this.row(change.task);
        row.p = { ...row.p, branch: [...change.files] };
        row.touched = touchedOf(row.p);
        n = this.forRow(change.task, (pair) => {
          pair.live = this.computeLive(pair.a, pair.b);
        });
        break;
      }
      case 'merge': {
        const [x, y] = change.tasks;
        this.row(x);
        this.row(y);
        if (x === y) throw new Error(`matrix: a merge result needs two different tasks, got '${x}' twice`);
        this.mergeInput.set(this.unorderedKey(x, y), [...change.paths]);
        const pair = this.pairs.get(this.key(x, y))!;
        pair.merge = this.computeMerge(pair.a, pair.b);
        n = 1;
        break;
      }
      case 'status': {
        const row = this.row(change.task);
        row.p = { ...row.p, status: change.status };
        break;
      }
      case 'add': {
        const p = change.participant;
        if (this.rows.has(p.id)) throw new Error(`matrix: participant '${p.id}' already exists`);
        this.rows.set(p.id, { p: { ...p }, order: this.nextOrder++, touched: touchedOf(p) });
        for (const other of this.rows.keys()) {
          if (other === p.id) continue;
          this.pairs.set(this.key(other, p.id), this.computePair(...this.ordered(other, p.id)));
          n++;
        }
        break;
      }
      case 'remove': {
        this.row(change.task);
        for (const other of this.rows.keys()) {
          if (other === change.task) continue;
          this.pairs.delete(this.key(other, change.task));
          this.mergeInput.delete(this.unorderedKey(other, change.task));
        }
        this.rows.delete(change.task);
        break;
      }
      case 'index': {
        this.index = change.index;
        for (const pair of this.pairs.values()) {
          pair.planned = this.computePlanned(pair.a, pair.b);
          n++;
        }
        break;
      }
    }
    this.lastRecomputed = n;
    this.totalRecomputed += n;
    return { pairsRecomputed: n };
  }

  /** Participants in order. */
  participants(): MatrixParticipant[] {
    return [...this.rows.values()].map((r) => r.p);
  }

  /** The cell of a pair (either order); undefined for unknown ids or a = b. */
  cell(x: string, y: string): MatrixCell | undefined {
    if (x === y || !this.rows.has(x) || !this.rows.has(y)) return undefined;
    return this.toCell(this.pairs.get(this.key(x, y))!);
  }

  /** Every pair, in participant order (row by row). */
  cells(): MatrixCell[] {
    const ids = [...this.rows.keys()];
    const out: MatrixCell[] = [];
    for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) out.push(this.cell(ids[i], ids[j])!);
    return out;
  }

  /** Every file of one kind for a pair, without the list limit. */
  cellFiles(x: string, y: string, kind: Exclude<OverlapKind, 'none'>): AnnotatedFile[] {
    if (x === y) return [];
    const [a, b] = this.ordered(x, y);
    if (kind === 'planned') return this.plannedFiles(a, b, Infinity).files;
    if (kind === 'live') return this.computeLive(a, b, Infinity).files;
    return this.computeMerge(a, b, Infinity).files;
  }

  // -------------------------------------------------------------------------------------------

  private row(id: string): Row {
    const r = this.rows.get(id);
    if (!r) throw new Error(`matrix: unknown task or session '${id}'`);
    return r;
  }

  private ordered(x: string, y: string): [string, string] {
    return this.row(x).order < this.row(y).order ? [x, y] : [y, x];
  }

  private key(x: string, y: string): string {
    const [a, b] = this.ordered(x, y);
    return `${a}\0${b}`;
  }

  private unorderedKey(x: string, y: string): string {
    return x < y ? `${x}\0${y}` : `${y}\0${x}`;
  }

  private forRow(id: string, recompute: (pair: PairState) => void): number {
    let n = 0;
    for (const other of this.rows.keys()) {
      if (other === id) continue;
      recompute(this.pairs.get(this.key(id, other))!);
      n++;
    }
    return n;
  }

  private computePair(a: string, b: string): PairState {
    return { a, b, planned: this.computePlanned(a, b), live: this.computeLive(a, b), merge: this.computeMerge(a, b) };
  }

  private writes(p: MatrixParticipant): readonly string[] {
    return p.kind === 'task' && !p.readOnly ? (p.scope ?? []) : [];
  }

  private computePlanned(a: string, b: string): PlannedPart {
    const sa = this.writes(this.row(a).p);
    const sb = this.writes(this.row(b).p);
    if (sa.length === 0 || sb.length === 0) return { count: 0, globs: [] };
    const count = this.index.scopeSet(sa).andCount(this.index.scopeSet(sb));
    const globs: [string, string][] = [];
    for (const ga of sa) {
      for (const gb of sb) {
        // Sharing a tracked file implies the patterns may overlap, so the symbolic check finds every pair.
        if (globsMayOverlap(ga, gb) || (count > 0 && this.index.globSet(ga).intersects(this.index.globSet(gb)))) globs.push([ga, gb]);
      }
    }
    return { count, globs };
  }

  private plannedFiles(a: string, b: string, limit: number): CellPart & { globs: [string, string][] } {
    const pair = this.pairs.get(this.key(a, b))!;
    const part = pair.planned;
    if (limit === this.fileLimit && part.materialized) return part.materialized;
    const files: AnnotatedFile[] = [];
    if (part.count > 0) {
      const sa = this.writes(this.row(a).p);
      const sb = this.writes(this.row(b).p);
      const setsA = sa.map((g) => this.index.globSet(g));
      const setsB = sb.map((g) => this.index.globSet(g));
      // The reason only depends on which globs of each side match: build each sentence once.
      const sentences = new Map<number, string>();
      const say = (id: string, globs: readonly string[], sets: FileSet[], i: number, side: number): string => {
        if (sets.length > 30) return `${id}: scope ${globs.filter((_, k) => sets[k].has(i)).join(', ')}`;
        let mask = 0;
        for (let k = 0; k < sets.length; k++) if (sets[k].has(i)) mask |= 1 << k;
        const key = mask * 2 + side;
        let s = sentences.get(key);
        if (s === undefined) {
          s = `${id}: scope ${globs.filter((_, k) => sets[k].has(i)).join(', ')}`;
          sentences.set(key, s);
        }
        return s;
      };
      const wa = this.index.scopeSet(sa).words;
      const wb = this.index.scopeSet(sb).words;
      for (let w = 0; w < wa.length && files.length < limit; w++) {
        let x = wa[w] & wb[w];
        while (x !== 0 && files.length < limit) {
          const bit = x & -x;
          const i = (w << 5) + (31 - Math.clz32(bit));
          x ^= bit;
          files.push({ path: this.index.files[i], why: [say(a, sa, setsA, i, 0), say(b, sb, setsB, i, 1)] });
        }
      }
    }
    const out = { count: part.count, files, truncated: part.count > files.length, globs: part.globs };
    if (limit === this.fileLimit) part.materialized = out;
    return out;
  }

  private computeLive(a: string, b: string, limit = this.fileLimit): CellPart {
    const ta = this.row(a).touched;
    const tb = this.row(b).touched;
    if (ta.size === 0 || tb.size === 0) return emptyPart();
    const [small, large] = ta.size <= tb.size ? [ta, tb] : [tb, ta];
    const shared: string[] = [];
    for (const f of small.keys()) if (large.has(f)) shared.push(f);
    shared.sort();
    const files = shared.slice(0, limit).map((f) => ({ path: f, why: [`${a}: ${ta.get(f)!.join(', ')}`, `${b}: ${tb.get(f)!.join(', ')}`] }));
    return { count: shared.length, files, truncated: shared.length > files.length };
  }

  private computeMerge(a: string, b: string, limit = this.fileLimit): CellPart {
    const paths = [...new Set(this.mergeInput.get(this.unorderedKey(a, b)) ?? [])].sort();
    const files = paths.slice(0, limit).map((f) => ({ path: f, why: [`merging ${a} and ${b} conflicts here`] }));
    return { count: paths.length, files, truncated: paths.length > files.length };
  }

  private toCell(pair: PairState): MatrixCell {
    const planned = this.plannedFiles(pair.a, pair.b, this.fileLimit);
    let strongest: OverlapKind = 'none';
    let count = 0;
    if (pair.merge.count > 0) [strongest, count] = ['merge', pair.merge.count];
    else if (pair.live.count > 0) [strongest, count] = ['live', pair.live.count];
    else if (planned.count > 0 || planned.globs.length > 0) [strongest, count] = ['planned', planned.count];
    return { a: pair.a, b: pair.b, planned, live: pair.live, merge: pair.merge, strongest, count };
  }
}

/** Compares overlap kinds: positive when `x` is stronger. */
export function compareKinds(x: OverlapKind, y: OverlapKind): number {
  return RANK[x] - RANK[y];
}

/** One-shot matrix (no incremental updates). */
export function buildMatrix(participants: Iterable<MatrixParticipant>, index: ScopeIndex, opts: MatrixOptions = {}): MatrixCell[] {
  return new MatrixModel(participants, index, opts).cells();
}
