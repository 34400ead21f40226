// After a landing, through the real CLI with tasks the scheduler started (simulated agents committing
// in their own worktrees): the tasks' leases and reservations are released, a clean worktree is
// removed and its merged branch deleted, a worktree with uncommitted work is kept (and so is its
// branch) and both are reported. Leases of other work stay.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeSchedRepo } from '../fixtures/plans/schedulerRepo';

before(() => ensureBuilt());

test('after landing: leases released, clean worktree removed and branch deleted, dirty worktree kept and reported', async () => {
  const r = makeSchedRepo();
  const cli = (args: string[]) => runCli(args, { cwd: r.repo.root });
  const json = (args: string[]) => {
    const out = cli([...args, '--json']);
    return { status: out.status, stderr: out.stderr, body: JSON.parse(out.stdout || '{}') };
  };
  const taskList = () => Object.fromEntries(json(['task', 'list']).body.tasks.map((t: any) => [t.id, t]));
  try {
    r.writePlan({
      tasks: [
        { id: 'clean', scope: ['src/a.ts'], sim: { edits: [{ path: 'src/a.ts', content: 'clean work\n' }], commit: 'clean' } },
        { id: 'dirty', scope: ['src/b.ts'], sim: { edits: [{ path: 'src/b.ts', content: 'dirty work\n' }], commit: 'dirty' } },
      ],
    });
    for (const id of ['clean', 'dirty']) {
      const started = cli(['task', 'start', id]);
      assert.equal(started.status, 0, started.stderr);
    }
    await r.result('clean');
    await r.result('dirty');
    const end = Date.now() + 20_000;
    let t = taskList();
    while (!(t.clean.status === 'finished' && t.dirty.status === 'finished')) {
      assert.ok(Date.now() < end, `both finish; now ${t.clean.status}, ${t.dirty.status}`);
      await new Promise((res) => setTimeout(res, 100));
      t = taskList();
    }
    const cleanWt: string = t.clean.worktree;
    const dirtyWt: string = t.dirty.worktree;
    assert.ok(fs.existsSync(cleanWt) && fs.existsSync(dirtyWt));

    // People keep holding files for the tasks, and someone holds a file for other work.
    assert.equal(cli(['claim', '--session', 'human:bob', '--task', 'clean', 'src/a.ts']).status, 0);
    assert.equal(cli(['claim', '--session', 'human:bob2', '--task', 'dirty', 'docs/notes.md']).status, 0);
    assert.equal(cli(['claim', '--session', 'human:carol', 'README.md']).status, 0);
    assert.deepEqual(json(['status']).body.leases.map((l: any) => l.key).sort(), ['README.md', 'docs/notes.md', 'src/a.ts']);
    // Work left uncommitted in one task's worktree: landing refuses it rather than leave it behind.
    fs.writeFileSync(path.join(dirtyWt, 'notes.txt'), 'not committed\n');
    const refused = json(['land', 'clean', 'dirty', '--atomic']);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /cannot land 'dirty': its worktree .* has uncommitted changes \(notes\.txt\)/);
    // Ignored by git (like a local .env), it does not stop the landing; the worktree holding it is kept.
    fs.appendFileSync(path.join(r.repo.root, '.git', 'info', 'exclude'), '/notes.txt\n');

    const landed = json(['land', 'clean', 'dirty', '--atomic']);
    assert.equal(landed.status, 0, landed.stderr);
    assert.deepEqual(landed.body.landed, ['clean', 'dirty']);
    assert.deepEqual(landed.body.removed, [`worktree ${cleanWt}`, 'branch lockstep/clean']);
    assert.deepEqual(landed.body.kept, [
      { kind: 'worktree', name: dirtyWt, why: 'it has ignored files that may be work (notes.txt)' },
      { kind: 'branch', name: 'lockstep/dirty', why: `it is checked out in the kept worktree ${dirtyWt}` },
    ]);
    const text = cli(['task', 'list']).stdout;
    assert.match(text, /^ {2}dirty +landed/m);

    const status = json(['status']).body;
    assert.deepEqual(status.leases.map((l: any) => [l.key, l.session]), [['README.md', 'human:carol']], 'only the lease of other work stays');
    assert.deepEqual(status.reservations, []);

    assert.equal(fs.existsSync(cleanWt), false, 'the clean worktree is removed');
    assert.equal(fs.readFileSync(path.join(dirtyWt, 'notes.txt'), 'utf8'), 'not committed\n', 'uncommitted work is never lost');
    assert.equal(r.repo.git('branch', '--list', 'lockstep/clean'), '');
    assert.equal(r.repo.git('branch', '--list', 'lockstep/dirty').replace(/^[+* ]+/, ''), 'lockstep/dirty');
    assert.equal(r.repo.git('show', 'main:src/a.ts'), 'clean work');
    assert.equal(r.repo.git('show', 'main:src/b.ts'), 'dirty work');
    t = taskList();
    assert.equal(t.clean.worktree, undefined);
    assert.equal(t.clean.branch, undefined);
    assert.equal(t.dirty.worktree, dirtyWt, 'the kept worktree stays on record');
    assert.ok(t.clean.landedAt > 0 && t.dirty.landedAt > 0);
  } finally {
    await r.cleanup();
  }
});
