// The matrix computed from a real repository: crafted task branches whose merge conflicts cover
// content, modify/delete, add/add, binary and rename/rename; live overlap from leases, recorded
// edits, uncommitted changes and branch changes; planned overlap from scopes; merge results cached
// by commit pair; one changed participant recomputes only its row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MatrixEngine } from '../../src/engine/matrixEngine';
import { gitShow } from '../../src/git/matrixGitShow';
import { editingFactsFromRepo } from '../../src/engine/matrixSources';
import { openEmbeddedStore } from '../../src/store/embeddedStore';
import { makeMatrixRepo, seedStore, type MatrixRepo } from './matrixFixture';

function engineOf(r: MatrixRepo): MatrixEngine {
  const commonDir = fs.realpathSync(path.join(r.repo.root, '.git'));
  const store = openEmbeddedStore(commonDir);
  return new MatrixEngine({
    root: r.repo.root,
    gitDir: commonDir,
    facts: async () => {
      const state = store.read();
      return { runtime: state.tasks, editing: await editingFactsFromRepo(r.repo.root, state) };
    },
  });
}

test('merge, live and planned overlap of crafted branches, with who and why per file', async () => {
  const r = makeMatrixRepo();
  try {
    seedStore(r);
    const engine = engineOf(r);
    await engine.refresh();
    const state = engine.state();
    assert.deepEqual(state.participants.map((p) => [p.id, p.kind, p.status ?? '-']), [
      ['api', 'task', 'running'],
      ['web', 'task', 'running'],
      ['docs', 'task', 'running'],
      ['img', 'task', 'queued'],
      ['vscode:alice', 'session', '-'],
    ]);
    const api = state.participants[0]!;
    assert.equal(api.branch, 'lockstep/api');
    assert.equal(api.title, 'API <img src=x onerror=alert(1)>');
    assert.deepEqual(
      state.cells.map((c) => [c.a, c.b, c.strongest, c.merge, c.live, c.planned]),
      [
        ['api', 'web', 'merge', 7, 5, 1],
        ['web', 'img', 'planned', 0, 0, 1],
        ['web', 'vscode:alice', 'live', 0, 1, 0],
      ],
    );
    // docs changed only docs/: its pairs are known clean without running git merge-tree.
    assert.deepEqual(state.merge, { pairsChecked: 1, pairsSkipped: 2, errors: [] });

    const d = engine.cell('api', 'web');
    assert.deepEqual(d.merge.files.map((f) => f.path), [
      'assets/logo.bin', // binary modified on both sides
      'src/both.ts', // added on both sides
      'src/delete-me.ts', // deleted by api, modified by web
      'src/rename-me.ts', // renamed to different names on each side
      'src/renamed-by-api.ts',
      'src/renamed-by-web.ts',
      'src/shared.ts', // both changed the same line
    ]);
    assert.deepEqual(d.merge.files[0]!.why, ['merging api and web conflicts here']);
    const live = new Map(d.live.files.map((f) => [f.path, f.why]));
    assert.deepEqual([...live.keys()], ['assets/logo.bin', 'src/both.ts', 'src/delete-me.ts', 'src/rename-me.ts', 'src/shared.ts']);
    assert.deepEqual(live.get('src/shared.ts'), ['api: leased, changed on branch', 'web: changed on branch']);
    assert.deepEqual(live.get('src/rename-me.ts'), ['api: changed on branch', 'web: changed on branch'], 'the source of a rename counts as changed on both sides');
    assert.deepEqual(d.planned.files, [{ path: 'src/shared.ts', why: ['api: scope src/**', 'web: scope src/shared.ts'] }]);
    assert.deepEqual(d.planned.globs, [['src/**', 'src/shared.ts']]);
    assert.deepEqual(d.diff, { available: true, left: 'lockstep/api', right: 'lockstep/web' });

    // Asked the other way round, the same files.
    assert.deepEqual(engine.cell('web', 'api').merge.count, 7);

    // The user holds web/app.ts; web's agent edited it and it is uncommitted in web's worktree.
    const u = engine.cell('web', 'vscode:alice');
    assert.deepEqual(u.live.files, [{ path: 'web/app.ts', why: ['web: edited', 'vscode:alice: leased'] }]);
    assert.equal(u.diff.available, false);
    assert.match(u.diff.available ? '' : u.diff.reason, /'vscode:alice' has none \(a session\)/);

    const img = engine.cell('web', 'img');
    assert.deepEqual(img.planned.files.map((f) => f.path), ['assets/logo.bin']);
    assert.equal(engine.cell('api', 'docs').strongest, 'none');
    assert.throws(() => engine.cell('api', 'ghost'), /unknown task or session 'ghost'/);

    // Branch contents for the diff documents: binary, deleted, renamed.
    const bin = await gitShow(r.repo.root, 'lockstep/api', 'assets/logo.bin');
    assert.deepEqual([bin.exists, bin.binary, bin.size, bin.text], [true, true, 256, '']);
    assert.deepEqual(await gitShow(r.repo.root, 'lockstep/api', 'src/delete-me.ts'), { exists: false, binary: false, size: 0, text: '' });
    assert.equal((await gitShow(r.repo.root, 'lockstep/web', 'src/renamed-by-web.ts')).text.split('\n')[0], 'export const renamed = 1;');
    assert.equal((await gitShow(r.repo.root, 'lockstep/web', 'src/shared.ts')).text, 'export const shared = "web";\n');
    await assert.rejects(gitShow(r.repo.root, 'no-such-branch', 'README.md'), /rev: 'no-such-branch' is neither a branch nor a commit/);
  } finally {
    r.cleanup();
  }
});

test('merge results are cached by commit pair; a new commit reruns only its pairs; a lease change recomputes one row', async () => {
  const r = makeMatrixRepo();
  try {
    seedStore(r);
    const engine = engineOf(r);
    await engine.refresh();
    assert.equal(engine.git.stats.mergeTreeRuns, 1);
    const hits = engine.git.stats.mergeCacheHits;

    const again = await engine.refresh();
    assert.equal(again.changed, false, 'nothing changed: no new revision');
    assert.equal(again.pairsRecomputed, 0);
    assert.equal(engine.git.stats.mergeTreeRuns, 1, 'unchanged commits: merge-tree is not run again');
    assert.equal(engine.git.stats.mergeCacheHits, hits + 3, 'every pair answered from the cache');

    // A new docs commit: docs' pairs are re-examined (still disjoint, no git), api × web stays cached.
    fs.writeFileSync(path.join(r.worktrees.docs, 'docs/more.md'), 'more\n');
    r.commit(r.worktrees.docs, 'more docs');
    await engine.refresh();
    assert.equal(engine.git.stats.mergeTreeRuns, 1);
    assert.equal(engine.state().participants.find((p) => p.id === 'docs')!.branchChanged, 2);

    // A new web commit that resolves nothing: api × web is simulated again, once.
    fs.writeFileSync(path.join(r.worktrees.web, 'web/more.ts'), 'export {};\n');
    r.commit(r.worktrees.web, 'more web');
    await engine.refresh();
    assert.equal(engine.git.stats.mergeTreeRuns, 2);
    assert.equal(engine.state().cells.find((c) => c.a === 'api' && c.b === 'web')!.merge, 7);

    // The user claims one more file: only the user's row (4 pairs of 5 participants) is recomputed.
    const store = openEmbeddedStore(fs.realpathSync(path.join(r.repo.root, '.git')));
    store.transact((t) => {
      if (!t.acquire('vscode:alice', ['src/both.ts']).ok) throw new Error('claim failed');
    });
    const upd = await engine.refresh();
    assert.equal(upd.changed, true);
    assert.equal(upd.pairsRecomputed, 4);
    assert.equal(engine.state().revision, 4);
    assert.deepEqual(engine.cell('vscode:alice', 'api').live.files.map((f) => f.path), ['src/both.ts']);
  } finally {
    r.cleanup();
  }
});
