// `lockstep matrix [--json] [--planned]`: the conflict matrix, computed here from the repository, the
// plan and the store (no server needed): a table with one letter per overlap kind and its file count
// for every pair, then each overlapping pair with its files and why. `--planned` compares scopes only
// (and shows the suggested waves). Exit 0; 1 when the plan is invalid or the folder is no repository.
import type { Command } from 'commander';
import type { MatrixCellDetail, MatrixCellSummary, MatrixParticipantView, MatrixState } from '../../protocol/matrixMethods';
import { MatrixEngine } from '../../engine/matrixEngine';
import { editingFactsFromRepo } from '../../engine/matrixSources';
import { action, CliError, openContext, printJson } from '../commandContext';
import { plural } from '../../core/plural';

/** Files listed per kind and pair in the text output (JSON lists them all). */
const TEXT_FILES = 10;
const HEADER_WIDTH = 14;

const LETTERS = { merge: 'M', live: 'L', planned: 'P' } as const;

/** `M1 L2 P3` (strongest first), `P~` for a planned overlap of patterns only, `-` for none. */
export function cellText(c: MatrixCellSummary | undefined): string {
  if (!c) return '-';
  const parts: string[] = [];
  if (c.merge > 0) parts.push(`M${c.merge}`);
  if (c.live > 0) parts.push(`L${c.live}`);
  if (c.planned > 0) parts.push(`P${c.planned}`);
  else if (c.plannedGlobs > 0) parts.push('P~');
  return parts.join(' ') || '-';
}

function clip(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, width - 1)}…`;
}

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - s.length));
}

function statusOf(p: MatrixParticipantView): string {
  return p.kind === 'session' ? 'session' : `${p.status ?? 'queued'}${p.readOnly ? ', read-only' : ''}`;
}

/** The readable table and the list of overlapping pairs. */
export function formatMatrix(state: MatrixState, details: readonly MatrixCellDetail[]): string {
  const ps = state.participants;
  const out: string[] = [];
  const tasks = ps.filter((p) => p.kind === 'task').length;
  const sessions = ps.length - tasks;
  const what = [plural(tasks, 'task'), ...(sessions > 0 ? [plural(sessions, 'session')] : [])].join(' and ');
  const planPart = state.plan.valid ? `plan ${state.plan.file}, target ${state.plan.target}` : `no valid plan: ${state.plan.issue ?? 'unknown problem'}`;
  out.push(`${state.plannedOnly ? 'Planned conflict matrix' : 'Conflict matrix'} of ${what} (${planPart})`);
  if (ps.length === 0) {
    out.push('Nothing to compare: the plan has no tasks and no session holds or edited a file.');
    return out.join('\n') + '\n';
  }
  const cells = new Map<string, MatrixCellSummary>();
  for (const c of state.cells) {
    cells.set(`${c.a}\0${c.b}`, c);
    cells.set(`${c.b}\0${c.a}`, c);
  }
  const heads = ps.map((p) => clip(p.id, HEADER_WIDTH));
  const rowHead = ps.map((p) => `${clip(p.id, 24)} (${statusOf(p)})`);
  const rowWidth = Math.max(...rowHead.map((r) => r.length), 4);
  const texts = ps.map((r, i) => ps.map((c, j) => (i === j ? '·' : cellText(cells.get(`${r.id}\0${c.id}`)))));
  const colWidth = ps.map((_, j) => Math.max(heads[j]!.length, ...texts.map((row) => row[j]!.length)));
  out.push('');
  out.push(`${pad('', rowWidth)}  ${heads.map((h, j) => pad(h, colWidth[j]!)).join('  ')}`.trimEnd());
  texts.forEach((row, i) => out.push(`${pad(rowHead[i]!, rowWidth)}  ${row.map((t, j) => pad(t, colWidth[j]!)).join('  ')}`.trimEnd()));
  out.push('');
  out.push(
    state.plannedOnly
      ? 'P planned: both scopes contain these tracked files (P~: only their patterns may overlap). Counts are files.'
      : 'M merge: git merge-tree reports conflicts between their branches · L live: both leased, edited or changed these files on their branches · P planned: both scopes contain these tracked files (P~: patterns only). Counts are files.',
  );
  if (details.length > 0) {
    out.push('');
    out.push(`Overlapping pairs (${details.length}):`);
    for (const d of details) {
      const kinds = (['merge', 'live', 'planned'] as const).filter((k) => d[k].count > 0 || (k === 'planned' && d.planned.globs.length > 0));
      out.push(`  ${d.a} × ${d.b}: ${kinds.map((k) => `${k} ${d[k].count}`).join(' · ')}`);
      if (d.planned.globs.length > 0) out.push(`    scopes: ${d.planned.globs.map(([g, h]) => `${g} ~ ${h}`).join(', ')}`);
      for (const k of kinds) {
        const part = d[k];
        for (const f of part.files.slice(0, TEXT_FILES)) out.push(`    ${LETTERS[k]} ${f.path}  ${f.why.join(' · ')}`);
        const more = part.count - Math.min(part.files.length, TEXT_FILES);
        if (more > 0) out.push(`    ${LETTERS[k]} … and ${more} more (--json lists them all)`);
      }
    }
  } else {
    out.push('');
    out.push('No overlapping pairs.');
  }
  if (state.waves && (state.plannedOnly || state.waves.applicable)) {
    out.push('');
    const waves = state.waves.suggested.map((w, i) => `${i + 1}: ${w.join(', ')}`).join(' · ');
    out.push(`Suggested waves${state.waves.matchesPhases ? ' (the plan\'s phases already match)' : ''}: ${waves}`);
  }
  for (const e of state.merge.errors) out.push(`warning: merge simulation of ${e.a} and ${e.b} failed: ${e.message}`);
  return out.join('\n') + '\n';
}

/** Computes the matrix of the repository around `cwd` without the server. */
export async function computeMatrix(cwd: string, plannedOnly: boolean): Promise<{ state: MatrixState; details: MatrixCellDetail[] }> {
  const ctx = openContext(cwd);
  const root = ctx.location.worktreeRoot;
  const engine = new MatrixEngine({
    root,
    gitDir: ctx.location.gitDir,
    plannedOnly,
    facts: async () => {
      const state = ctx.store.read();
      return { runtime: state.tasks, editing: plannedOnly ? { sessions: [], leases: [], edits: [], unleased: [] } : await editingFactsFromRepo(root, state) };
    },
  });
  await engine.refresh();
  const state = engine.state();
  const details = state.cells.map((c) => engine.cell(c.a, c.b, 100_000));
  return { state, details };
}

export function register(program: Command): void {
  program
    .command('matrix')
    .description('show where tasks and sessions overlap: planned (scopes), live (files touched) and merge (git merge-tree) conflicts')
    .option('--json', 'print JSON (the state, then every overlapping pair with all its files)')
    .option('--planned', 'compare the plan\'s scopes only, and suggest waves')
    .addHelpText('after', '\nCells: M<n> merge conflicts, L<n> files both touched, P<n> files both scopes contain (P~ patterns only), - none.')
    .action(
      action(async (opts: { json?: boolean; planned?: boolean }) => {
        const { state, details } = await computeMatrix(process.cwd(), opts.planned === true);
        if (state.plan.exists && !state.plan.valid) throw new CliError(state.plan.issue ?? 'the plan is not valid', 1, { plan: state.plan });
        if (opts.json) printJson({ ok: true, ...state, pairs: details });
        else process.stdout.write(formatMatrix(state, details));
      }),
    );
}
