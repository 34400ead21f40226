// What the matrix grid shows, without the DOM: the label, classes and spoken text of a cell, the
// one-line summary, and keyboard movement between cells. Unit-tested in Node.
import type { MatrixCellSummary, MatrixParticipantView, MatrixState, OverlapKindView } from '../../protocol/matrixMethods';
import { plural } from '../../core/plural';

export type Kind = Exclude<OverlapKindView, 'none'>;
export const KINDS: readonly Kind[] = ['merge', 'live', 'planned'];
export const KIND_LETTER: Record<Kind, string> = { merge: 'M', live: 'L', planned: 'P' };
export const KIND_NAME: Record<Kind, string> = {
  merge: 'merge conflict',
  live: 'live overlap',
  planned: 'planned overlap',
};

/** The key of an unordered pair. */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

export function indexCells(state: MatrixState): Map<string, MatrixCellSummary> {
  const m = new Map<string, MatrixCellSummary>();
  for (const c of state.cells) m.set(pairKey(c.a, c.b), c);
  return m;
}

function files(n: number): string {
  return plural(n, 'file');
}

/** Count of a kind in a cell (planned patterns-only counts as present with 0 files). */
export function kindsPresent(c: MatrixCellSummary | undefined): Kind[] {
  if (!c) return [];
  return KINDS.filter((k) => (k === 'planned' ? c.planned > 0 || c.plannedGlobs > 0 : c[k] > 0));
}

export interface CellLook {
  /** Short text in the cell: the strongest kind's letter and file count (`M2`, `P~` for patterns only). */
  text: string;
  strongest: OverlapKindView;
  kinds: Kind[];
  /** Tooltip and accessible description. */
  title: string;
}

export function cellLook(row: MatrixParticipantView, col: MatrixParticipantView, c: MatrixCellSummary | undefined): CellLook {
  const pair = `${row.id} × ${col.id}`;
  if (!c || c.strongest === 'none') return { text: '', strongest: 'none', kinds: [], title: `${pair}: no overlap` };
  const kinds = kindsPresent(c);
  const strongest = c.strongest as Kind;
  const n = strongest === 'planned' ? c.planned : c[strongest];
  const text = strongest === 'planned' && n === 0 ? 'P~' : `${KIND_LETTER[strongest]}${n}`;
  const parts = kinds.map((k) => (k === 'planned' && c.planned === 0 ? 'planned overlap of scope patterns (no tracked file yet)' : `${KIND_NAME[k]} on ${files(k === 'planned' ? c.planned : c[k])}`));
  return { text, strongest, kinds, title: `${pair}: ${parts.join(', ')}. Enter lists the files.` };
}

/** `4 tasks · 1 merge conflict · 2 live · 3 planned` */
export function summaryLine(state: MatrixState): string {
  const tasks = state.participants.filter((p) => p.kind === 'task').length;
  const sessions = state.participants.length - tasks;
  const by = { merge: 0, live: 0, planned: 0 } as Record<Kind, number>;
  for (const c of state.cells) if (c.strongest !== 'none') by[c.strongest as Kind]++;
  const who = [plural(tasks, 'task'), ...(sessions ? [plural(sessions, 'session')] : [])].join(', ');
  const pairs = KINDS.filter((k) => by[k] > 0).map((k) => `${plural(by[k], 'pair')} with ${KIND_NAME[k]}${by[k] === 1 ? '' : 's'}`);
  return `${who} · ${pairs.length ? pairs.join(' · ') : 'no overlap'}${state.plannedOnly ? ' (scopes only)' : ''}`;
}

export interface GridPos {
  row: number;
  col: number;
}

/** Where an arrow key moves the focus in an n×n grid (clamped at the edges); undefined for other keys. */
export function moveFocus(pos: GridPos, key: string, n: number): GridPos | undefined {
  const clamp = (v: number) => Math.max(0, Math.min(n - 1, v));
  switch (key) {
    case 'ArrowUp':
      return { row: clamp(pos.row - 1), col: pos.col };
    case 'ArrowDown':
      return { row: clamp(pos.row + 1), col: pos.col };
    case 'ArrowLeft':
      return { row: pos.row, col: clamp(pos.col - 1) };
    case 'ArrowRight':
      return { row: pos.row, col: clamp(pos.col + 1) };
    case 'Home':
      return { row: pos.row, col: 0 };
    case 'End':
      return { row: pos.row, col: n - 1 };
    default:
      return undefined;
  }
}

/** Status shown in a header: the task's status, or `session`. */
export function statusLabel(p: MatrixParticipantView): string {
  return p.kind === 'session' ? 'session' : `${p.status ?? 'queued'}${p.readOnly ? ' · read-only' : ''}`;
}
