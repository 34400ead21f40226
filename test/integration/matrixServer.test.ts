// The matrix inside the real coordinator server (node dist/server.js --stdio), driven over JSON-RPC
// like the extension: getMatrix, live pushes of `lockstep/matrixChanged` after a claim and a commit,
// getMatrixCell, gitShow for the diff documents, applyWaves, and one-line errors for bad params.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePlan } from '../../src/core/planFile';
import { MATRIX_CHANGED, MatrixCellDetail, MatrixState } from '../../src/protocol/matrixMethods';
import { ensureBuilt } from '../helpers/cli';
import { makeTempRepo } from '../helpers/tempRepo';
import { makeMatrixRepo, seedStore } from './matrixFixture';
import { startServer } from './serverHarness';

before(() => ensureBuilt());

async function waitFor<T>(what: string, list: T[], pred: (x: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const hit = list.find(pred);
    if (hit) return hit;
    if (Date.now() > end) assert.fail(`no ${MATRIX_CHANGED} with ${what}; got ${list.length} pushes`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the server computes the matrix, pushes matrixChanged on a claim and a commit, and serves cells and branch files', async () => {
  const r = makeMatrixRepo();
  seedStore(r);
  const server = await startServer({ root: r.repo.root, initializationOptions: { userSessionId: 'vscode:bob' } });
  const conn = server.conn;
  const pushes: MatrixState[] = [];
  conn.onNotification(MATRIX_CHANGED, (raw: unknown) => void pushes.push(MatrixState.parse(raw)));
  try {
    const first = MatrixState.parse(await conn.sendRequest('lockstep/getMatrix', {}));
    assert.deepEqual(first.participants.map((p) => p.id), ['api', 'web', 'docs', 'img', 'vscode:alice']);
    assert.deepEqual(first.cells.find((c) => c.a === 'api' && c.b === 'web'), { a: 'api', b: 'web', strongest: 'merge', count: 7, planned: 1, plannedGlobs: 1, live: 5, merge: 7 });

    // The user claims a file api changed on its branch: a new participant with a live overlap, pushed.
    const claim = await server.request('claim', { paths: ['src/both.ts'] });
    assert.equal(claim.ok, true);
    const pushed = await waitFor('vscode:bob', pushes, (s) => s.participants.some((p) => p.id === 'vscode:bob'));
    assert.ok(pushed.revision > first.revision);
    assert.deepEqual(pushed.cells.find((c) => c.b === 'vscode:bob' && c.a === 'api')?.strongest, 'live');
    const cell = MatrixCellDetail.parse(await conn.sendRequest('lockstep/getMatrixCell', { a: 'vscode:bob', b: 'api' }));
    assert.deepEqual(cell.live.files, [{ path: 'src/both.ts', why: ['api: changed on branch', 'vscode:bob: leased'] }]);

    // A commit on web's branch moves its tip: pushed too.
    const oldTip = first.participants.find((p) => p.id === 'web')!.tip;
    fs.writeFileSync(path.join(r.worktrees.web, 'web/extra.ts'), 'export const extra = 1;\n');
    r.commit(r.worktrees.web, 'extra');
    const moved = await waitFor('a new web tip', pushes, (s) => s.participants.find((p) => p.id === 'web')!.tip !== oldTip);
    assert.equal(moved.participants.find((p) => p.id === 'web')!.branchChanged, 8, '6 files of its first commit, web/app.ts and web/extra.ts');

    const shown = (await conn.sendRequest('lockstep/gitShow', { rev: 'lockstep/web', path: 'src/shared.ts' })) as { text: string; exists: boolean };
    assert.deepEqual(shown, { exists: true, binary: false, size: 29, text: 'export const shared = "web";\n' });

    const rejects = async (method: string, params: unknown, pattern: RegExp) =>
      assert.rejects(conn.sendRequest(method, params), (e: { code: number; message: string }) => {
        assert.equal(e.code, -32602, e.message);
        assert.match(e.message, pattern);
        return true;
      });
    await rejects('lockstep/gitShow', { rev: '--output=/tmp/x', path: 'README.md' }, /^lockstep\/gitShow: rev: must be a branch name or a commit id$/);
    await rejects('lockstep/gitShow', { rev: 'main', path: '../outside' }, /^lockstep\/gitShow: path: must not contain/);
    await rejects('lockstep/getMatrixCell', { a: 'api', b: 'ghost' }, /^lockstep\/getMatrixCell: unknown task or session 'ghost'$/);
    await rejects('lockstep/getMatrixCell', { a: 'api', b: 'api' }, /^lockstep\/getMatrixCell: b: a and b must name two different/);
    await rejects('lockstep/applyWaves', {}, /^lockstep\/applyWaves: tasks have already started/);
  } finally {
    await server.stop();
    r.cleanup();
  }
});

test('before any task runs: the planned matrix, suggested waves, and applying them as phases rewrites the plan', async () => {
  const repo = makeTempRepo({
    files: {
      'src/a.ts': 'a\n',
      'src/x.ts': 'x\n',
      'docs/d.md': 'd\n',
      '.lockstep/plan.yaml': [
        'target: main',
        '# the plan stays the source of truth; this comment survives',
        'tasks:',
        '  - {id: a, title: A, prompt: p, scope: ["src/**"]}',
        '  - {id: b, title: B, prompt: p, scope: ["src/x.ts"]}',
        '  - {id: c, title: C, prompt: p, scope: ["docs/**"]}',
        '',
      ].join('\n'),
    },
  });
  const server = await startServer({ root: repo.root });
  const pushes: MatrixState[] = [];
  server.conn.onNotification(MATRIX_CHANGED, (raw: unknown) => void pushes.push(MatrixState.parse(raw)));
  try {
    const planned = MatrixState.parse(await server.conn.sendRequest('lockstep/getMatrix', { planned: true }));
    assert.equal(planned.plannedOnly, true);
    assert.deepEqual(planned.cells.map((c) => [c.a, c.b, c.strongest, c.planned]), [['a', 'b', 'planned', 1]]);
    const live = MatrixState.parse(await server.conn.sendRequest('lockstep/getMatrix', {}));
    assert.deepEqual(live.waves, { suggested: [['a', 'c'], ['b']], matchesPhases: false, applicable: true });

    const applied = (await server.conn.sendRequest('lockstep/applyWaves', {})) as { phases: Record<string, number> };
    assert.deepEqual(applied.phases, { a: 1, c: 1, b: 2 });
    const text = fs.readFileSync(path.join(repo.root, '.lockstep/plan.yaml'), 'utf8');
    assert.match(text, /this comment survives/);
    assert.deepEqual(parsePlan(text).tasks.map((t) => [t.id, t.phase]), [['a', 1], ['b', 2], ['c', 1]]);
    const after = await waitFor('phases matching the waves', pushes, (s) => s.waves?.matchesPhases === true);
    assert.deepEqual(after.participants.map((p) => [p.id, p.phase]), [['a', 1], ['b', 2], ['c', 1]]);
  } finally {
    await server.stop();
    repo.cleanup();
  }
});
