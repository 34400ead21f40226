// MatrixTracker: successive inputs become the smallest model updates (one row for a lease change,
// one pair for a merge result), the grid state lists counts of overlapping pairs only, and a
// cell's detail is reported in the order asked for.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScopeIndex } from '../../src/core/globOverlap';
import type { MatrixParticipant } from '../../src/core/matrix';
import type { MatrixParticipantView } from '../../src/protocol/matrixMethods';
import type { DerivedParticipant } from '../../src/engine/matrixParticipants';
import { MatrixTracker, type MatrixInput, type MergeFact } from '../../src/engine/matrixTracker';

const index = new ScopeIndex(['src/a.ts', 'src/b.ts', 'web/app.ts', 'docs/x.md']);

function part(m: MatrixParticipant): DerivedParticipant {
  const view: MatrixParticipantView = {
    id: m.id,
    kind: m.kind,
    title: m.id.toUpperCase(),
    readOnly: m.readOnly ?? false,
    scope: [...(m.scope ?? [])],
    dependsOn: [],
    sessions: [],
    leased: m.leased?.length ?? 0,
    edited: m.edited?.length ?? 0,
    branchChanged: m.branch?.length ?? 0,
    ...(m.status ? { status: m.status } : {}),
  };
  return { model: m, view };
}

function input(ps: MatrixParticipant[], merges: MergeFact[] = [], idx = index): MatrixInput {
  return {
    plannedOnly: false,
    repoRoot: '/repo',
    plan: { file: '/repo/.lockstep/plan.yaml', exists: true, valid: true, target: 'main' },
    index: idx,
    participants: ps.map(part),
    merges,
    mergeSummary: { pairsChecked: merges.length, pairsSkipped: 0, errors: [] },
    waves: null,
  };
}

const base = (): MatrixParticipant[] => [
  { id: 'api', kind: 'task', scope: ['src/**'], status: 'running', leased: ['src/a.ts'], edited: [], branch: [] },
  { id: 'web', kind: 'task', scope: ['src/b.ts', 'web/**'], status: 'running', leased: [], edited: [], branch: [] },
  { id: 'docs', kind: 'task', scope: ['docs/**'], status: 'queued', leased: [], edited: [], branch: [] },
  { id: 'vscode:me', kind: 'session', leased: ['web/app.ts'], edited: [] },
];

describe('MatrixTracker', () => {
  it('renders overlapping pairs only, with counts per kind and the strongest kind', () => {
    const t = new MatrixTracker();
    const r = t.update(input(base()));
    assert.deepEqual(r, { changed: true, pairsRecomputed: 6, rebuilt: true });
    const s = t.state(1, 42);
    assert.equal(s.revision, 1);
    assert.deepEqual(s.mailbox, { available: true });
    assert.deepEqual(s.cells, [{ a: 'api', b: 'web', strongest: 'planned', count: 1, planned: 1, plannedGlobs: 1, live: 0, merge: 0 }]);
  });

  it('a lease change recomputes one row; a merge result one pair; nothing new changes nothing', () => {
    const t = new MatrixTracker();
    t.update(input(base()));
    assert.deepEqual(t.update(input(base())), { changed: false, pairsRecomputed: 0, rebuilt: false });

    const ps = base();
    ps[1] = { ...ps[1]!, edited: ['web/app.ts'] };
    const r = t.update(input(ps));
    assert.deepEqual(r, { changed: true, pairsRecomputed: 3, rebuilt: false });
    assert.deepEqual(t.cell('vscode:me', 'web').live.files, [{ path: 'web/app.ts', why: ['web: edited', 'vscode:me: leased'] }]);

    const m = t.update(input(ps, [{ tasks: ['web', 'api'], paths: ['src/b.ts'] }]));
    assert.deepEqual(m, { changed: true, pairsRecomputed: 1, rebuilt: false });
    const c = t.state(2).cells.find((x) => x.a === 'api' && x.b === 'web')!;
    assert.deepEqual([c.strongest, c.count, c.merge, c.planned], ['merge', 1, 1, 1]);
    // The conflict resolved (a clean merge now): the pair drops back to planned.
    t.update(input(ps, [{ tasks: ['api', 'web'], paths: [] }]));
    assert.equal(t.state(3).cells.find((x) => x.a === 'api' && x.b === 'web')!.strongest, 'planned');
    // The pair is no longer simulated at all (a branch landed): same.
    t.update(input(ps, [{ tasks: ['api', 'web'], paths: ['src/b.ts'] }]));
    t.update(input(ps));
    assert.equal(t.state(4).cells.find((x) => x.a === 'api' && x.b === 'web')!.merge, 0);
  });

  it('follows new, removed and rescoped participants, a new file index, and status-only changes', () => {
    const t = new MatrixTracker();
    t.update(input(base()));
    const ps = base().filter((p) => p.id !== 'vscode:me');
    ps.push({ id: 'ui', kind: 'task', scope: ['web/**'], status: 'queued' });
    t.update(input(ps));
    const s = t.state(2);
    assert.deepEqual(s.participants.map((p) => p.id), ['api', 'web', 'docs', 'ui']);
    assert.deepEqual(s.cells.map((c) => `${c.a}×${c.b}`), ['api×web', 'web×ui']);

    ps[2] = { ...ps[2]!, scope: ['src/a.ts'] };
    const r = t.update(input(ps));
    assert.equal(r.pairsRecomputed, 3);
    assert.equal(t.cell('docs', 'api').planned.files[0]!.path, 'src/a.ts');

    const bigger = new ScopeIndex([...index.files, 'web/new.ts']);
    t.update(input(ps, [], bigger));
    assert.equal(t.cell('web', 'ui').planned.count, 2);

    ps[3] = { ...ps[3]!, status: 'running' };
    const st = t.update(input(ps, [], bigger));
    assert.equal(st.pairsRecomputed, 0);
    assert.equal(st.changed, true, 'the header shows the status');
  });

  it('reports a cell in the order asked for, and refuses unknown ids', () => {
    const t = new MatrixTracker();
    t.update(input(base()));
    const d = t.cell('web', 'api');
    assert.equal(d.a, 'web');
    assert.deepEqual(d.planned.files, [{ path: 'src/b.ts', why: ['api: scope src/**', 'web: scope src/b.ts'] }]);
    assert.deepEqual(d.diff, { available: false, reason: "a diff needs both branches; 'web' has none yet, 'api' has none yet" });
    assert.throws(() => t.cell('api', 'nope'), /unknown task or session 'nope'/);
    assert.throws(() => t.cell('api', 'api'), /two different/);
    const limited = t.cell('api', 'web', 1);
    assert.equal(limited.planned.truncated, false);
  });
});
