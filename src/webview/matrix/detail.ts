// The detail of one pair: its files per kind with who holds/changed each and why, and the actions:
// open a file, diff it between the two branches, serialize the two tasks, message a task's agent or a
// session (through its mailbox; shown disabled, with the reason, when the server says it cannot).
import type { FromWebview, MatrixCellDetail, MatrixParticipantView, MatrixState } from '../../protocol/matrixMethods';
import { button, el } from './dom';
import { KIND_NAME, KINDS, type Kind } from './gridModel';
import { plural } from '../../core/plural';

export type Post = (m: FromWebview) => void;

const HEADINGS: Record<Kind, string> = { merge: 'Merge conflicts', live: 'Live overlap', planned: 'Planned overlap' };
const EXPLAIN: Record<Kind, string> = {
  merge: 'git merge-tree reports these paths as conflicting between the two branch tips.',
  live: 'Both have leased, edited or changed these files on their branches (uncommitted changes included).',
  planned: 'Both scopes contain these tracked files.',
};

export class CellDetailView {
  readonly element: HTMLElement;
  private current: { a: string; b: string } | undefined;

  constructor(private readonly post: Post) {
    this.element = el('section', 'detail');
    this.element.id = 'detail';
    this.element.setAttribute('aria-live', 'polite');
    this.element.setAttribute('aria-label', 'Files of the selected pair');
    this.clear();
  }

  get pair(): { a: string; b: string } | undefined {
    return this.current;
  }

  clear(): void {
    this.current = undefined;
    this.element.replaceChildren(el('p', 'hint', 'Select a cell (click, or arrow keys then Enter) to list the files the two share, who holds or changed each and why.'));
  }

  loading(a: string, b: string): void {
    const same = this.current && this.current.a === a && this.current.b === b;
    this.current = { a, b };
    if (same) return; // keep showing the files until the new answer arrives
    this.element.replaceChildren(el('h2', 'detail-title', `${a} × ${b}`), el('p', 'hint', 'Loading…'));
  }

  error(a: string, b: string, message: string): void {
    this.current = { a, b };
    this.element.replaceChildren(el('h2', 'detail-title', `${a} × ${b}`), el('p', 'error', message));
  }

  show(d: MatrixCellDetail, state: MatrixState): void {
    const scroll = this.element.scrollTop;
    this.current = { a: d.a, b: d.b };
    const pa = state.participants.find((p) => p.id === d.a);
    const pb = state.participants.find((p) => p.id === d.b);
    const parts: HTMLElement[] = [];
    parts.push(el('h2', 'detail-title', `${d.a} × ${d.b}`));
    const present = KINDS.filter((k) => d[k].count > 0 || (k === 'planned' && d.planned.globs.length > 0));
    parts.push(el('p', 'detail-summary', present.length ? present.map((k) => `${KIND_NAME[k]}: ${plural(d[k].count, 'file')}`).join(' · ') : 'No overlap.'));
    parts.push(this.actions(d, pa, pb, state));
    for (const k of present) parts.push(this.kindSection(k, d, pa, pb));
    this.element.replaceChildren(...parts);
    this.element.scrollTop = scroll;
  }

  private actions(d: MatrixCellDetail, pa: MatrixParticipantView | undefined, pb: MatrixParticipantView | undefined, state: MatrixState): HTMLElement {
    const box = el('div', 'actions');
    if (pa?.kind === 'task' && pb?.kind === 'task') {
      const serial = (first: MatrixParticipantView, then: MatrixParticipantView) => {
        const already = then.dependsOn.includes(first.id);
        return button(already ? `${then.id} already runs after ${first.id}` : `Run ${then.id} after ${first.id}`, () => this.post({ type: 'serialize', first: first.id, then: then.id }), {
          disabled: already || first.dependsOn.includes(then.id),
          title: already ? `${then.id} depends on ${first.id} in the plan` : `Make ${then.id} depend on ${first.id} in the plan, so they never run at the same time`,
        });
      };
      box.append(serial(pa, pb), serial(pb, pa));
    }
    const mailbox = state.mailbox;
    for (const p of [pa, pb]) {
      if (!p) continue;
      box.append(
        button(p.kind === 'task' ? `Message ${p.id}'s agent` : `Message ${p.id}`, () => this.post({ type: 'message', to: p.id }), {
          disabled: !mailbox.available,
          secondary: true,
          title: mailbox.available ? `Write a message that ${p.kind === 'task' ? `task ${p.id}'s agent` : p.id} receives with its next tool call or prompt` : mailbox.reason,
        }),
      );
    }
    if (!mailbox.available) box.append(el('p', 'note', `Messaging is unavailable: ${mailbox.reason}`));
    if (!d.diff.available) box.append(el('p', 'note', `No branch diff: ${d.diff.reason}.`));
    return box;
  }

  private kindSection(k: Kind, d: MatrixCellDetail, pa: MatrixParticipantView | undefined, pb: MatrixParticipantView | undefined): HTMLElement {
    const part = d[k];
    const sec = el('section', `kind kind-${k}`);
    const h = el('h3', undefined, `${HEADINGS[k]} (${part.count})`);
    sec.append(h, el('p', 'explain', EXPLAIN[k]));
    if (k === 'planned' && d.planned.globs.length > 0) {
      sec.append(el('p', 'globs', `Scopes: ${d.planned.globs.map(([g, x]) => `${g} ~ ${x}`).join(', ')}`));
      if (part.count === 0) sec.append(el('p', 'note', 'No tracked file matches both yet; the patterns may overlap on new files.'));
    }
    const list = el('ul', 'files');
    for (const f of part.files) {
      const li = el('li', 'file');
      li.append(el('span', 'path', f.path));
      const why = el('span', 'why');
      for (const w of f.why) why.append(el('span', 'reason', w));
      li.append(why);
      const acts = el('span', 'file-actions');
      acts.append(button('Open', () => this.post({ type: 'openFile', path: f.path }), { secondary: true, title: `Open ${f.path} in this checkout` }));
      for (const p of [pa, pb]) {
        if (p?.worktree) acts.append(button(`Open in ${p.id}`, () => this.post({ type: 'openFile', path: f.path, task: p.id }), { secondary: true, title: `Open ${f.path} in ${p.id}'s worktree` }));
      }
      if (d.diff.available) {
        acts.append(button('Diff', () => this.post({ type: 'openDiff', a: d.a, b: d.b, path: f.path }), { title: `Compare ${f.path} between ${d.diff.available ? `${d.diff.left} and ${d.diff.right}` : ''}` }));
      }
      li.append(acts);
      list.append(li);
    }
    sec.append(list);
    if (part.truncated) sec.append(el('p', 'note', `… and ${part.count - part.files.length} more (lockstep matrix --json lists them all).`));
    return sec;
  }
}
