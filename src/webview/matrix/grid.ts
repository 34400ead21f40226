// The tasks × tasks grid. Rendering patches the existing table (text, classes, titles of the cells
// that changed) so live updates neither flicker nor lose the scroll position, the focus or the
// selection; the table is rebuilt only when the participants themselves change. Keyboard: arrow
// keys, Home/End move between cells (roving tabindex), Enter or Space opens the cell.
import type { MatrixParticipantView, MatrixState } from '../../protocol/matrixMethods';
import { el, setAttr, setText } from './dom';
import { cellLook, indexCells, moveFocus, statusLabel, type GridPos } from './gridModel';

export interface GridHandlers {
  open(a: string, b: string): void;
  focusChanged(pos: GridPos): void;
}

interface Head {
  th: HTMLTableCellElement;
  id: HTMLElement;
  title?: HTMLElement;
  status: HTMLElement;
}

export class MatrixGrid {
  readonly element: HTMLDivElement;
  private readonly table: HTMLTableElement;
  private readonly headRow: HTMLTableRowElement;
  private readonly body: HTMLTableSectionElement;
  private ids: string[] = [];
  private participants: MatrixParticipantView[] = [];
  private cells: HTMLTableCellElement[][] = [];
  private rowHeads: Head[] = [];
  private colHeads: Head[] = [];
  private pos: GridPos = { row: 0, col: 1 };
  private selected: { a: string; b: string } | undefined;

  constructor(private readonly handlers: GridHandlers) {
    this.element = el('div', 'grid-scroll');
    this.element.id = 'grid-scroll';
    this.table = el('table', 'matrix');
    this.table.id = 'matrix';
    this.table.setAttribute('role', 'grid');
    this.table.setAttribute('aria-label', 'Conflict matrix: tasks by tasks');
    const head = el('thead');
    this.headRow = el('tr');
    head.append(this.headRow);
    this.body = el('tbody');
    this.table.append(head, this.body);
    this.element.append(this.table);
    this.table.addEventListener('keydown', (e) => this.onKey(e));
    this.table.addEventListener('click', (e) => {
      const td = (e.target as Element).closest('td.cell') as HTMLTableCellElement | null;
      if (!td) return;
      const p = this.posOf(td);
      if (!p) return;
      this.focusCell(p, true);
      this.openAt(p);
    });
  }

  get focus(): GridPos {
    return this.pos;
  }

  render(state: MatrixState): void {
    const ids = state.participants.map((p) => p.id);
    if (ids.length !== this.ids.length || ids.some((id, i) => id !== this.ids[i])) this.rebuild(state.participants);
    this.participants = state.participants;
    const cells = indexCells(state);
    state.participants.forEach((p, i) => {
      this.patchHead(this.rowHeads[i]!, p, true);
      this.patchHead(this.colHeads[i]!, p, false);
    });
    const n = ids.length;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const row = state.participants[i]!;
        const col = state.participants[j]!;
        const look = cellLook(row, col, cells.get(row.id < col.id ? `${row.id}\u0000${col.id}` : `${col.id}\u0000${row.id}`));
        const td = this.cells[i]![j]!;
        const sel = this.selected && ((this.selected.a === row.id && this.selected.b === col.id) || (this.selected.a === col.id && this.selected.b === row.id));
        setAttr(td, 'class', `cell kind-${look.strongest}${sel ? ' selected' : ''}`);
        setAttr(td, 'data-kind', look.strongest);
        setAttr(td, 'title', look.title);
        setAttr(td, 'aria-label', look.title);
        setAttr(td, 'aria-selected', sel ? 'true' : 'false');
        const label = td.firstElementChild as HTMLElement;
        setText(label, look.text);
        const pips = td.lastElementChild as HTMLElement;
        const kinds = look.kinds.join(' ');
        if (pips.dataset.kinds !== kinds) {
          pips.dataset.kinds = kinds;
          pips.replaceChildren(...(look.kinds.length > 1 ? look.kinds.map((k) => el('span', `pip pip-${k}`)) : []));
        }
      }
    }
  }

  /** Marks a pair as selected (both of its cells), or none. */
  select(pair: { a: string; b: string } | undefined): void {
    this.selected = pair;
    const n = this.ids.length;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const td = this.cells[i]![j]!;
        const sel = !!pair && ((pair.a === this.ids[i] && pair.b === this.ids[j]) || (pair.a === this.ids[j] && pair.b === this.ids[i]));
        td.classList.toggle('selected', sel);
        setAttr(td, 'aria-selected', sel ? 'true' : 'false');
      }
    }
  }

  /** Moves the roving tabindex (and, when asked, the keyboard focus) to a cell. */
  focusCell(p: GridPos, takeFocus: boolean): void {
    const n = this.ids.length;
    if (n === 0) return;
    const row = Math.max(0, Math.min(n - 1, p.row));
    const col = Math.max(0, Math.min(n - 1, p.col));
    this.cells[this.pos.row]?.[this.pos.col]?.setAttribute('tabindex', '-1');
    this.pos = { row, col };
    const td = this.cells[row]![col]!;
    td.setAttribute('tabindex', '0');
    if (takeFocus) {
      td.focus({ preventScroll: true });
      td.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    }
    this.handlers.focusChanged(this.pos);
  }

  /** Focus position of a pair, if both are in the grid. */
  positionOf(a: string, b: string): GridPos | undefined {
    const row = this.ids.indexOf(a);
    const col = this.ids.indexOf(b);
    return row >= 0 && col >= 0 ? { row, col } : undefined;
  }

  private openAt(p: GridPos): void {
    if (p.row === p.col) return;
    this.handlers.open(this.ids[p.row]!, this.ids[p.col]!);
  }

  private onKey(e: KeyboardEvent): void {
    const td = (e.target as Element).closest('td.cell') as HTMLTableCellElement | null;
    if (!td) return;
    const p = this.posOf(td) ?? this.pos;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.openAt(p);
      return;
    }
    const next = moveFocus(p, e.key, this.ids.length);
    if (!next) return;
    e.preventDefault();
    this.focusCell(next, true);
  }

  private posOf(td: HTMLTableCellElement): GridPos | undefined {
    const row = Number(td.dataset.row);
    const col = Number(td.dataset.col);
    return Number.isInteger(row) && Number.isInteger(col) ? { row, col } : undefined;
  }

  private rebuild(ps: readonly MatrixParticipantView[]): void {
    const focusedId = [this.ids[this.pos.row], this.ids[this.pos.col]];
    this.ids = ps.map((p) => p.id);
    this.rowHeads = [];
    this.colHeads = [];
    this.cells = [];
    const corner = el('th', 'corner');
    corner.setAttribute('scope', 'col');
    corner.append(el('span', 'corner-label', 'task ↓ × task →'));
    const cols: HTMLTableCellElement[] = [corner];
    ps.forEach(() => {
      const th = el('th', 'col-head');
      th.setAttribute('scope', 'col');
      const id = el('span', 'col-id');
      const status = el('span', 'status');
      th.append(id, status);
      this.colHeads.push({ th, id, status });
      cols.push(th);
    });
    this.headRow.replaceChildren(...cols);
    const rows = ps.map((_, i) => {
      const tr = el('tr');
      const th = el('th', 'row-head');
      th.setAttribute('scope', 'row');
      const id = el('span', 'row-id');
      const title = el('span', 'row-title');
      const status = el('span', 'status');
      th.append(id, status, title);
      this.rowHeads.push({ th, id, title, status });
      const line: HTMLTableCellElement[] = [];
      tr.append(th);
      ps.forEach((__, j) => {
        const td = el('td', i === j ? 'cell self' : 'cell');
        td.dataset.row = String(i);
        td.dataset.col = String(j);
        td.setAttribute('role', 'gridcell');
        td.setAttribute('tabindex', '-1');
        if (i === j) {
          td.setAttribute('aria-label', `${ps[i]!.id} (itself)`);
          td.append(el('span', 'label', ''), el('span', 'pips'));
        } else td.append(el('span', 'label'), el('span', 'pips'));
        line.push(td);
        tr.append(td);
      });
      this.cells.push(line);
      return tr;
    });
    this.body.replaceChildren(...rows);
    // Keep the focused pair if it still exists.
    const r = focusedId[0] !== undefined ? this.ids.indexOf(focusedId[0]) : -1;
    const c = focusedId[1] !== undefined ? this.ids.indexOf(focusedId[1]) : -1;
    const had = this.element.contains(document.activeElement);
    this.pos = r >= 0 && c >= 0 ? { row: r, col: c } : { row: 0, col: Math.min(1, Math.max(0, this.ids.length - 1)) };
    if (this.ids.length > 0) this.focusCell(this.pos, had);
  }

  private patchHead(h: Head, p: MatrixParticipantView, isRow: boolean): void {
    setText(h.id, p.id);
    const status = statusLabel(p);
    setText(h.status, status);
    setAttr(h.status, 'class', `status status-${p.kind === 'session' ? 'session' : (p.status ?? 'queued')}`);
    if (h.title) setText(h.title, p.kind === 'task' ? p.title : p.agent ?? '');
    const tip = `${p.id}${p.kind === 'task' ? ` — ${p.title}` : ''} (${status})${p.branch ? `\nbranch ${p.branch}` : ''}${p.scope.length ? `\nscope ${p.scope.join(', ')}` : ''}`;
    setAttr(h.th, 'title', tip);
    if (!isRow) setAttr(h.th, 'aria-label', `${p.id}, ${status}`);
  }
}
