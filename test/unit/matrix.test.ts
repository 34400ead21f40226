import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ScopeIndex } from '../../src/core/globOverlap';
import { MatrixModel, buildMatrix, compareKinds, type MatrixChange, type MatrixParticipant } from '../../src/core/matrix';

const index = new ScopeIndex(['src/api/a.ts', 'src/api/b.ts', 'src/web/app.ts', 'src/web/app.css', 'docs/guide.md', 'README.md']);

const api: MatrixParticipant = { id: 'api', kind: 'task', scope: ['src/api/**'], status: 'running' };
const src: MatrixParticipant = { id: 'src', kind: 'task', scope: ['src/**/*.ts'], status: 'running' };
const docs: MatrixParticipant = { id: 'docs', kind: 'task', scope: ['docs/**'], status: 'queued' };
const survey: MatrixParticipant = { id: 'survey', kind: 'task', readOnly: true, scope: ['src/**'], status: 'running' };
const human: MatrixParticipant = { id: 'vscode:ann', kind: 'session', leased: ['README.md'], edited: ['src/api/a.ts'] };

describe('conflict matrix', () => {
  it('has a cell for every pair, in participant order', () => {
    const cells = buildMatrix([api, src, docs, survey, human], index);
    assert.equal(cells.length, 10);
    assert.deepEqual(
      cells.slice(0, 4).map((c) => [c.a, c.b]),
      [
        ['api', 'src'],
        ['api', 'docs'],
        ['api', 'survey'],
        ['api', 'vscode:ann'],
      ],
    );
  });

  it('planned: shared tracked files with the globs that put them in each scope', () => {
    const m = new MatrixModel([api, src, docs], index);
    const c = m.cell('src', 'api')!;
    assert.equal(c.a, 'api');
    assert.equal(c.strongest, 'planned');
    assert.equal(c.count, 2);
    assert.deepEqual(c.planned.files, [
      { path: 'src/api/a.ts', why: ['api: scope src/api/**', 'src: scope src/**/*.ts'] },
      { path: 'src/api/b.ts', why: ['api: scope src/api/**', 'src: scope src/**/*.ts'] },
    ]);
    assert.deepEqual(c.planned.globs, [['src/api/**', 'src/**/*.ts']]);
    assert.deepEqual(m.cell('api', 'docs')!.strongest, 'none');
  });

  it('planned: patterns that may overlap count even with no tracked file', () => {
    const m = new MatrixModel([{ id: 'new', kind: 'task', scope: ['src/api/new.ts'] }, api], index);
    const c = m.cell('new', 'api')!;
    assert.equal(c.strongest, 'planned');
    assert.equal(c.count, 0);
    assert.deepEqual(c.planned.globs, [['src/api/new.ts', 'src/api/**']]);
  });

  it('read-only tasks and sessions have no planned overlap', () => {
    const m = new MatrixModel([api, survey, human], index);
    assert.equal(m.cell('api', 'survey')!.strongest, 'none');
    assert.equal(m.cell('api', 'vscode:ann')!.planned.count, 0);
  });

  it('live: files both touched, saying who leased, edited or changed them', () => {
    const m = new MatrixModel(
      [
        { ...api, leased: ['src/api/a.ts', 'src/x.ts'], edited: ['src/api/a.ts'] },
        { ...docs, branch: ['src/x.ts', 'docs/guide.md'] },
        human,
      ],
      index,
    );
    const c = m.cell('api', 'docs')!;
    assert.equal(c.strongest, 'live');
    assert.equal(c.count, 1);
    assert.deepEqual(c.live.files, [{ path: 'src/x.ts', why: ['api: leased', 'docs: changed on branch'] }]);
    const h = m.cell('api', 'vscode:ann')!;
    assert.deepEqual(h.live.files, [{ path: 'src/api/a.ts', why: ['api: leased, edited', 'vscode:ann: edited'] }]);
    assert.equal(h.strongest, 'live');
  });

  it('merge: paths git reported, the strongest kind of all', () => {
    const m = new MatrixModel([{ ...api, edited: ['src/api/a.ts'] }, { ...src, edited: ['src/api/a.ts'] }], index, {
      merge: [{ tasks: ['src', 'api'], paths: ['src/api/a.ts', 'src/api/b.ts'] }],
    });
    const c = m.cell('api', 'src')!;
    assert.equal(c.strongest, 'merge');
    assert.equal(c.count, 2);
    assert.equal(c.live.count, 1);
    assert.equal(c.planned.count, 2);
    assert.deepEqual(c.merge.files[0], { path: 'src/api/a.ts', why: ['merging api and src conflicts here'] });
    assert.ok(compareKinds('merge', 'live') > 0 && compareKinds('live', 'planned') > 0 && compareKinds('planned', 'none') > 0);
  });

  it('caps listed files but keeps exact counts; cellFiles gives them all', () => {
    const many = new ScopeIndex(Array.from({ length: 250 }, (_, i) => `src/f${i}.ts`));
    const m = new MatrixModel(
      [
        { id: 'a', kind: 'task', scope: ['src/**'] },
        { id: 'b', kind: 'task', scope: ['**/*.ts'] },
      ],
      many,
      { fileLimit: 10 },
    );
    const c = m.cell('a', 'b')!;
    assert.equal(c.planned.count, 250);
    assert.equal(c.planned.files.length, 10);
    assert.equal(c.planned.truncated, true);
    assert.equal(m.cellFiles('a', 'b', 'planned').length, 250);
  });

  it('refuses unknown ids and duplicate participants', () => {
    const m = new MatrixModel([api, docs], index);
    assert.equal(m.cell('api', 'ghost'), undefined);
    assert.equal(m.cell('api', 'api'), undefined);
    assert.throws(() => m.update({ kind: 'live', task: 'ghost', edited: [] }), /matrix: unknown task or session 'ghost'/);
    assert.throws(() => new MatrixModel([api, api], index), /duplicate participant 'api'/);
  });
});

describe('incremental matrix', () => {
  const five = (): MatrixParticipant[] => [
    api,
    src,
    docs,
    { id: 'web', kind: 'task', scope: ['src/web/**'] },
    { id: 'codex:1', kind: 'session', edited: ['src/web/app.ts'] },
  ];

  it('builds every pair once', () => {
    const m = new MatrixModel(five(), index);
    assert.equal(m.lastRecomputed, 10);
  });

  it('a live or branch change recomputes only that row', () => {
    const m = new MatrixModel(five(), index);
    assert.deepEqual(m.update({ kind: 'live', task: 'web', edited: ['src/web/app.ts'] }), { pairsRecomputed: 4 });
    assert.equal(m.cell('web', 'codex:1')!.strongest, 'live');
    assert.deepEqual(m.update({ kind: 'branch', task: 'api', files: ['src/web/app.ts'] }), { pairsRecomputed: 4 });
    assert.deepEqual(m.cell('api', 'web')!.live.files, [{ path: 'src/web/app.ts', why: ['api: changed on branch', 'web: edited'] }]);
  });

  it('a scope change recomputes the row and changes planned overlap', () => {
    const m = new MatrixModel(five(), index);
    assert.equal(m.cell('docs', 'web')!.strongest, 'none');
    assert.deepEqual(m.update({ kind: 'scope', task: 'docs', scope: ['docs/**', 'src/web/*.css'] }), { pairsRecomputed: 4 });
    assert.deepEqual(m.cell('docs', 'web')!.planned.files, [{ path: 'src/web/app.css', why: ['docs: scope src/web/*.css', 'web: scope src/web/**'] }]);
    m.update({ kind: 'scope', task: 'docs', scope: ['docs/**'], readOnly: true });
    assert.equal(m.cell('docs', 'web')!.strongest, 'none');
  });

  it('a merge result recomputes one pair; a status change none', () => {
    const m = new MatrixModel(five(), index);
    assert.deepEqual(m.update({ kind: 'merge', tasks: ['web', 'api'], paths: ['src/web/app.ts'] }), { pairsRecomputed: 1 });
    assert.equal(m.cell('api', 'web')!.strongest, 'merge');
    m.update({ kind: 'merge', tasks: ['api', 'web'], paths: [] });
    assert.equal(m.cell('api', 'web')!.strongest, 'none');
    assert.deepEqual(m.update({ kind: 'status', task: 'api', status: 'finished' }), { pairsRecomputed: 0 });
    assert.equal(m.participants()[0].status, 'finished');
  });

  it('adding and removing participants touches only their row', () => {
    const m = new MatrixModel(five(), index);
    assert.deepEqual(m.update({ kind: 'add', participant: { id: 'late', kind: 'task', scope: ['README.md'] } }), { pairsRecomputed: 5 });
    assert.equal(m.cells().length, 15);
    assert.deepEqual(m.update({ kind: 'remove', task: 'api' }), { pairsRecomputed: 0 });
    assert.equal(m.cells().length, 10);
    assert.equal(m.cell('api', 'src'), undefined);
    assert.equal(m.totalRecomputed, 15);
  });

  it('a new tracked-file index recomputes planned parts of every pair', () => {
    const m = new MatrixModel(five(), index);
    assert.equal(m.cell('api', 'web')!.planned.count, 0);
    assert.deepEqual(m.update({ kind: 'index', index: new ScopeIndex([...index.files, 'src/api/c.ts']) }), { pairsRecomputed: 10 });
    assert.equal(m.cell('api', 'src')!.planned.count, 3);
  });

  it('after any sequence of updates equals a matrix built from scratch (property)', () => {
    const ids = ['api', 'src', 'docs', 'web', 'codex:1'];
    const files = ['src/api/a.ts', 'src/web/app.ts', 'docs/guide.md', 'README.md', 'src/new.ts'];
    const globs = ['src/api/**', 'src/**', 'docs/**', '**/*.md', 'src/web/*.css', 'src/new.ts'];
    const taskIds = ids.filter((i) => !i.includes(':'));
    const change: fc.Arbitrary<MatrixChange> = fc.oneof(
      fc.record({ kind: fc.constant('scope' as const), task: fc.constantFrom(...taskIds), scope: fc.uniqueArray(fc.constantFrom(...globs), { minLength: 1, maxLength: 2 }), readOnly: fc.boolean() }),
      fc.record({ kind: fc.constant('live' as const), task: fc.constantFrom(...ids), leased: fc.subarray(files), edited: fc.subarray(files) }),
      fc.record({ kind: fc.constant('branch' as const), task: fc.constantFrom(...taskIds), files: fc.subarray(files) }),
      fc.record({ kind: fc.constant('merge' as const), tasks: fc.uniqueArray(fc.constantFrom(...taskIds), { minLength: 2, maxLength: 2 }) as fc.Arbitrary<[string, string]>, paths: fc.subarray(files) }),
    );
    fc.assert(
      fc.property(fc.array(change, { maxLength: 25 }), (changes) => {
        const m = new MatrixModel(five(), index);
        const state = new Map(five().map((p) => [p.id, { ...p }]));
        const merges = new Map<string, { tasks: [string, string]; paths: readonly string[] }>();
        for (const ch of changes) {
          m.update(ch);
          if (ch.kind === 'scope') Object.assign(state.get(ch.task)!, { scope: ch.scope, readOnly: ch.readOnly });
          if (ch.kind === 'live') Object.assign(state.get(ch.task)!, { leased: ch.leased, edited: ch.edited });
          if (ch.kind === 'branch') Object.assign(state.get(ch.task)!, { branch: ch.files });
          if (ch.kind === 'merge') merges.set([...ch.tasks].sort().join(' '), { tasks: ch.tasks, paths: ch.paths });
        }
        const fresh = buildMatrix(state.values(), index, { merge: merges.values() });
        assert.deepEqual(m.cells(), fresh);
      }),
      { numRuns: 200 },
    );
  });
});
