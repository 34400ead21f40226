// The conflict matrix page (bundled for the browser into dist/webview/matrix.js). Posts `ready`,
// then renders every `state` the extension sends by patching the DOM. Every message is validated
// with zod on arrival and before it is posted; all text goes through textContent.
import { FromWebview, ToWebview, describeMessageError, type MatrixCellDetail, type MatrixCellSummary, type MatrixState } from '../../protocol/matrixMethods';
import { CellDetailView } from './detail';
import { button, el, setText } from './dom';
import { MatrixGrid } from './grid';
import { indexCells, pairKey, summaryLine, type GridPos } from './gridModel';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface SavedState {
  selected?: { a: string; b: string };
  focus?: GridPos;
}

const vscode = acquireVsCodeApi();
const saved = (vscode.getState() ?? {}) as SavedState;
let state: MatrixState | undefined;
let cells = new Map<string, MatrixCellSummary>();
let selected = saved.selected;
let rendered = false;
/** The files of the selected pair, as last received. */
let lastDetail: MatrixCellDetail | undefined;

function post(message: FromWebview): void {
  const r = FromWebview.safeParse(message);
  if (!r.success) return showNotice('error', describeMessageError('message to the extension', r.error));
  vscode.postMessage(r.data);
}

function save(): void {
  vscode.setState({ selected, focus: grid.focus } satisfies SavedState);
}

// ---- layout -----------------------------------------------------------------------------------

const app = el('main', 'app');
const header = el('header', 'top');
const title = el('h1', undefined, 'Conflict matrix');
const summary = el('p', 'summary');
summary.id = 'summary';
const legend = el('div', 'legend');
legend.setAttribute('aria-label', 'Legend');
for (const [kind, letter, text] of [
  ['merge', 'M', 'merge conflict (git merge-tree)'],
  ['live', 'L', 'live overlap (leased, edited, changed on branch)'],
  ['planned', 'P', 'planned overlap (scopes)'],
  ['none', '', 'no overlap'],
] as const) {
  const item = el('span', 'legend-item');
  const sw = el('span', `swatch kind-${kind}`, letter);
  sw.setAttribute('aria-hidden', 'true');
  item.append(sw, el('span', 'legend-text', text));
  legend.append(item);
}
const refresh = button('Refresh', () => post({ type: 'refresh' }), { secondary: true, title: 'Recompute the matrix now' });
const notice = el('p', 'notice');
notice.id = 'notice';
notice.setAttribute('role', 'status');
const titleRow = el('div', 'title-row');
titleRow.append(title, summary, refresh);
header.append(titleRow, legend, notice);

const banner = el('p', 'banner');
banner.id = 'banner';
banner.hidden = true;
const waves = el('section', 'waves');
waves.id = 'waves';
waves.hidden = true;

const grid = new MatrixGrid({
  open: (a, b) => openCell(a, b),
  focusChanged: () => save(),
});
const detail = new CellDetailView(post);
const body = el('div', 'body');
body.append(grid.element, detail.element);
app.append(header, banner, waves, body);
document.body.append(app);

function showNotice(level: 'info' | 'error', message: string): void {
  notice.className = `notice ${level}`;
  setText(notice, message);
}

function openCell(a: string, b: string): void {
  selected = { a, b };
  grid.select(selected);
  detail.loading(a, b);
  save();
  post({ type: 'selectCell', a, b });
}

function renderWaves(s: MatrixState): void {
  const w = s.waves;
  if (!w || !w.applicable || w.suggested.length === 0) {
    waves.hidden = true;
    return;
  }
  waves.hidden = false;
  const text = w.suggested.map((ids, i) => `wave ${i + 1}: ${ids.join(', ')}`).join(' · ');
  const parts: HTMLElement[] = [el('span', 'waves-label', 'Suggested waves (no task has started): '), el('span', 'waves-text', text)];
  if (w.matchesPhases) parts.push(el('span', 'note', ' — the plan\'s phases already match.'));
  else parts.push(button('Apply as phases', () => post({ type: 'applyWaves' }), { title: 'Write these waves into the plan file as phases 1, 2, …' }));
  waves.replaceChildren(...parts);
}

function renderState(next: MatrixState): void {
  const before = cells;
  const previous = state;
  state = next;
  cells = indexCells(next);
  banner.hidden = true;
  setText(summary, summaryLine(next));
  if (!next.plan.valid && next.plan.exists) {
    banner.hidden = false;
    setText(banner, `The plan has a problem: ${next.plan.issue ?? 'unknown'}`);
  } else if (next.participants.length < 2) {
    banner.hidden = false;
    setText(banner, next.participants.length === 0 ? 'Nothing to compare yet: the plan has no tasks and no session holds or edited a file.' : 'Only one task or session so far: nothing to compare it with.');
  }
  for (const e of next.merge.errors) showNotice('error', `Merge simulation of ${e.a} and ${e.b} failed: ${e.message}`);
  renderWaves(next);
  const first = before.size === 0 && !rendered;
  rendered = true;
  grid.render(next);
  if (first && saved.focus) grid.focusCell(saved.focus, false);
  // Keep the selection; refresh its files when its counts changed, drop it when the pair is gone.
  if (selected) {
    const ids = new Set(next.participants.map((p) => p.id));
    if (!ids.has(selected.a) || !ids.has(selected.b)) {
      selected = undefined;
      grid.select(undefined);
      detail.clear();
      save();
    } else {
      grid.select(selected);
      const key = pairKey(selected.a, selected.b);
      const views = (s: MatrixState | undefined) => JSON.stringify(s?.participants.filter((p) => p.id === selected!.a || p.id === selected!.b));
      if (JSON.stringify(before.get(key)) !== JSON.stringify(cells.get(key)) || !detail.pair) openCell(selected.a, selected.b);
      // Same files, but the pair's tasks changed (a dependency added): redraw the actions.
      else if (lastDetail && views(previous) !== views(next)) detail.show(lastDetail, next);
    }
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  const r = ToWebview.safeParse(event.data);
  if (!r.success) return showNotice('error', describeMessageError('message from the extension', r.error));
  const m = r.data;
  switch (m.type) {
    case 'state':
      renderState(m.state);
      break;
    case 'unavailable':
      banner.hidden = false;
      setText(banner, m.message);
      break;
    case 'cell':
      if (selected && selected.a === m.detail.a && selected.b === m.detail.b && state) {
        lastDetail = m.detail;
        detail.show(m.detail, state);
      }
      break;
    case 'cellError':
      if (selected && selected.a === m.a && selected.b === m.b) detail.error(m.a, m.b, m.message);
      break;
    case 'notice':
      showNotice(m.level, m.message);
      break;
  }
});

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && selected) {
    selected = undefined;
    grid.select(undefined);
    detail.clear();
    save();
  }
});

post({ type: 'ready' });
