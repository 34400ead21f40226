// Worktrees on real temp repositories: locked creation per task, clear refusals, crash repair,
// clean-only removal, merged-only branch deletion, submodules, odd paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import {
  BranchNotMergedError,
  WorktreeDirtyError,
  WorktreeIgnoredFilesError,
  adminDirFor,
  createTaskWorktree,
  deleteBranch,
  listWorktrees,
  pruneWorktrees,
  removeWorktree,
} from '../../src/git/worktrees';
import { gitCommonDir, repoIdentity, trackedFiles, currentBranch, headCommit, isAncestor, readRef } from '../../src/git/repository';
import { validateTaskId } from '../../src/git/refNames';

function withRepo(fn: (repo: TempRepo, base: string) => Promise<void>, files?: Record<string, string>) {
  return async () => {
    const repo = makeTempRepo({ files });
    try {
      await fn(repo, path.dirname(repo.root));
    } finally {
      repo.cleanup();
    }
  };
}

test('creates a locked worktree on lockstep/<task> from the given commit, at a path with spaces and non-ASCII', withRepo(async (repo, base) => {
  const start = repo.git('rev-parse', 'HEAD');
  const wtPath = path.join(base, 'work trees', 'tâche été');
  const wt = await createTaskWorktree({ repoDir: repo.root, taskId: 'api-1', path: wtPath, startPoint: start });
  assert.equal(wt.branch, 'lockstep/api-1');
  assert.equal(wt.head, start);
  assert.equal(wt.existing, false);
  assert.equal(fs.readFileSync(path.join(wtPath, 'src', 'a.ts'), 'utf8'), 'export const a = 1;\n');
  const entry = (await listWorktrees(repo.root)).find((w) => w.branch === 'lockstep/api-1');
  assert.ok(entry, 'listed');
  assert.equal(entry.path, fs.realpathSync(wtPath));
  assert.equal(entry.locked, 'lockstep task api-1');
  assert.equal(await currentBranch(wtPath), 'lockstep/api-1');
  assert.equal(await repoIdentity(wtPath), await repoIdentity(repo.root));
  assert.equal(await gitCommonDir(wtPath), fs.realpathSync(path.join(repo.root, '.git')));
  // git itself refuses to prune or remove it while locked
  fs.rmSync(path.join(wtPath, 'README.md'));
  assert.deepEqual((await trackedFiles(wtPath)).sort(), ['README.md', 'src/a.ts', 'src/b.ts']);
  // the same request again returns the same worktree
  const again = await createTaskWorktree({ repoDir: repo.root, taskId: 'api-1', path: wtPath, startPoint: start });
  assert.equal(again.existing, true);
  assert.equal(again.path, wt.path);
}));

test('rejects task ids outside the allow-list, naming the field, and creates nothing', withRepo(async (repo, base) => {
  for (const bad of ['a b', 'x;rm -rf', '../x', '-x', 'tâche', 'a..b', 'x.lock', '', 'a/b', '$(id)']) {
    await assert.rejects(createTaskWorktree({ repoDir: repo.root, taskId: bad, path: path.join(base, 'w'), startPoint: 'HEAD' }), /taskId: .* is not a valid task id/);
  }
  assert.equal(validateTaskId('ok_id-1.2'), 'ok_id-1.2');
  assert.equal(fs.existsSync(path.join(base, 'w')), false);
  assert.equal(repo.git('branch', '--list', 'lockstep/*'), '');
  await assert.rejects(createTaskWorktree({ repoDir: repo.root, taskId: 't', path: 'relative/dir', startPoint: 'HEAD' }), /path: .* must be an absolute path/);
  await assert.rejects(createTaskWorktree({ repoDir: repo.root, taskId: 't', path: path.join(base, 'w'), startPoint: 'nope' }), /startPoint: "nope" is not a commit/);
}));

test('refuses when the task branch is checked out elsewhere, naming where', withRepo(async (repo, base) => {
  const other = repo.addWorktree('elsewhere', 'lockstep/t1');
  await assert.rejects(
    createTaskWorktree({ repoDir: repo.root, taskId: 't1', path: path.join(base, 'wt-t1'), startPoint: 'HEAD' }),
    (err: Error) => err.message === `branch lockstep/t1 is already checked out at ${other}`,
  );
  assert.equal(fs.existsSync(path.join(base, 'wt-t1')), false);
}));

test('reuses an existing task branch (its commits intact) when it is not checked out', withRepo(async (repo, base) => {
  repo.git('branch', 'lockstep/t2');
  const wt1 = await createTaskWorktree({ repoDir: repo.root, taskId: 't2', path: path.join(base, 'first'), startPoint: 'HEAD' });
  fs.writeFileSync(path.join(wt1.path, 'new.txt'), 'work\n');
  repo.git('-C', wt1.path, 'add', 'new.txt');
  repo.git('-C', wt1.path, 'commit', '-q', '-m', 'work');
  const work = repo.git('-C', wt1.path, 'rev-parse', 'HEAD');
  await removeWorktree(wt1.path);
  const wt2 = await createTaskWorktree({ repoDir: repo.root, taskId: 't2', path: path.join(base, 'second'), startPoint: 'main' });
  assert.equal(wt2.reusedBranch, true);
  assert.equal(wt2.head, work);
  assert.equal(fs.readFileSync(path.join(wt2.path, 'new.txt'), 'utf8'), 'work\n');
}));

test('repairs a worktree whose checkout was interrupted (no index, files missing)', withRepo(async (repo, base) => {
  const wtPath = path.join(base, 'half');
  await createTaskWorktree({ repoDir: repo.root, taskId: 'half', path: wtPath, startPoint: 'HEAD' });
  const commonDir = await gitCommonDir(repo.root);
  const admin = adminDirFor(commonDir, wtPath)!;
  // What a crash during `git worktree add`'s checkout leaves: registration and HEAD, no index, some files.
  fs.rmSync(path.join(admin, 'index'));
  fs.rmSync(path.join(wtPath, 'src'), { recursive: true });
  const wt = await createTaskWorktree({ repoDir: repo.root, taskId: 'half', path: wtPath, startPoint: 'HEAD' });
  assert.equal(wt.repaired, true);
  assert.equal(fs.readFileSync(path.join(wtPath, 'src', 'b.ts'), 'utf8'), 'export const b = 2;\n');
  assert.equal(repo.git('-C', wtPath, 'status', '--porcelain'), '');
}));

test('never resets a half-created worktree holding a changed or an untracked file; names the worktree and keeps them', withRepo(async (repo, base) => {
  const wtPath = path.join(base, 'half work');
  await createTaskWorktree({ repoDir: repo.root, taskId: 'halfw', path: wtPath, startPoint: 'HEAD' });
  const admin = adminDirFor(await gitCommonDir(repo.root), wtPath)!;
  fs.rmSync(path.join(admin, 'index'));
  fs.rmSync(path.join(wtPath, 'src', 'b.ts'));
  // Someone worked in it since: a tracked file changed (same size, so only its content tells).
  fs.writeFileSync(path.join(wtPath, 'src', 'a.ts'), 'export const a = 9;\n');
  const refusal = (files: RegExp) => (err: unknown) => {
    assert.ok(err instanceof Error);
    assert.equal(err.message.split('\n').length, 1);
    assert.ok(err.message.includes(`worktree ${fs.realpathSync(wtPath)}`) || err.message.includes(`worktree ${wtPath}`), err.message);
    assert.match(err.message, files);
    assert.match(err.message, /nothing was reset/);
    return true;
  };
  await assert.rejects(createTaskWorktree({ repoDir: repo.root, taskId: 'halfw', path: wtPath, startPoint: 'HEAD' }), refusal(/half-created .*\(src\/a\.ts\)/));
  assert.equal(fs.readFileSync(path.join(wtPath, 'src', 'a.ts'), 'utf8'), 'export const a = 9;\n', 'the change is kept');
  assert.equal(fs.existsSync(path.join(admin, 'index')), false, 'nothing was reset');

  // An untracked (even ignored) file is work too.
  fs.writeFileSync(path.join(wtPath, 'src', 'a.ts'), 'export const a = 1;\n');
  fs.writeFileSync(path.join(wtPath, '.env'), 'TOKEN=1\n');
  await assert.rejects(createTaskWorktree({ repoDir: repo.root, taskId: 'halfw', path: wtPath, startPoint: 'HEAD' }), refusal(/\(\.env\)/));
  assert.equal(fs.readFileSync(path.join(wtPath, '.env'), 'utf8'), 'TOKEN=1\n');

  // Only what the checkout wrote (HEAD's files, some missing): repaired.
  fs.rmSync(path.join(wtPath, '.env'));
  const wt = await createTaskWorktree({ repoDir: repo.root, taskId: 'halfw', path: wtPath, startPoint: 'HEAD' });
  assert.equal(wt.repaired, true);
  assert.equal(fs.readFileSync(path.join(wtPath, 'src', 'b.ts'), 'utf8'), 'export const b = 2;\n');
  assert.equal(repo.git('-C', wtPath, 'status', '--porcelain'), '');
}));

test('discards a registration left without HEAD by an interrupted add, then creates the worktree', withRepo(async (repo, base) => {
  const wtPath = path.join(base, 'broken');
  await createTaskWorktree({ repoDir: repo.root, taskId: 'broken', path: wtPath, startPoint: 'HEAD' });
  const commonDir = await gitCommonDir(repo.root);
  const admin = adminDirFor(commonDir, wtPath)!;
  // Crash right after the admin dir and .git link were written: no HEAD, no checkout yet.
  fs.rmSync(path.join(admin, 'HEAD'));
  fs.rmSync(path.join(admin, 'index'));
  for (const name of fs.readdirSync(wtPath)) if (name !== '.git') fs.rmSync(path.join(wtPath, name), { recursive: true });
  const wt = await createTaskWorktree({ repoDir: repo.root, taskId: 'broken', path: wtPath, startPoint: 'HEAD' });
  assert.equal(wt.repaired, true);
  assert.equal(wt.reusedBranch, true);
  assert.equal(repo.git('-C', wtPath, 'status', '--porcelain'), '');
  assert.equal((await listWorktrees(repo.root)).filter((w) => w.branch === 'lockstep/broken').length, 1);
}));

test('forgets stale records of worktrees whose folder was deleted, even locked ones', withRepo(async (repo, base) => {
  const wtPath = path.join(base, 'gone');
  await createTaskWorktree({ repoDir: repo.root, taskId: 'gone', path: wtPath, startPoint: 'HEAD' });
  fs.rmSync(wtPath, { recursive: true });
  assert.deepEqual(await pruneWorktrees(repo.root), [wtPath]);
  assert.equal((await listWorktrees(repo.root)).length, 1);
  // the branch survived; a new worktree for the task can be made at the same path
  assert.ok(await readRef(repo.root, 'refs/heads/lockstep/gone'));
  const wt = await createTaskWorktree({ repoDir: repo.root, taskId: 'gone', path: wtPath, startPoint: 'HEAD' });
  assert.equal(wt.reusedBranch, true);
}));

test('removeWorktree refuses a worktree with uncommitted or untracked changes, naming the files; removes it when clean', withRepo(async (repo, base) => {
  const wt = await createTaskWorktree({ repoDir: repo.root, taskId: 'dirty', path: path.join(base, 'dirty wt'), startPoint: 'HEAD' });
  fs.writeFileSync(path.join(wt.path, 'src', 'a.ts'), 'changed\n');
  fs.writeFileSync(path.join(wt.path, 'notes é.md'), 'untracked\n');
  await assert.rejects(removeWorktree(wt.path), (err: unknown) => {
    assert.ok(err instanceof WorktreeDirtyError);
    assert.deepEqual([...err.files].sort(), ['notes é.md', 'src/a.ts']);
    assert.match(err.message, /src\/a\.ts/);
    return true;
  });
  assert.equal(fs.readFileSync(path.join(wt.path, 'src', 'a.ts'), 'utf8'), 'changed\n', 'nothing lost');
  assert.ok((await listWorktrees(repo.root)).some((w) => w.path === wt.path));
  repo.git('-C', wt.path, 'add', '-A');
  repo.git('-C', wt.path, 'commit', '-q', '-m', 'work');
  await removeWorktree(wt.path);
  assert.equal(fs.existsSync(wt.path), false);
  assert.ok(await readRef(repo.root, 'refs/heads/lockstep/dirty'), 'branch kept');
  await assert.rejects(removeWorktree(repo.root), /is the main worktree/);
}));

test('removeWorktree refuses ignored files that may be work (.env), naming them; build output and disposable files go', withRepo(async (repo, base) => {
  repo.write('.gitignore', 'node_modules/\ndist/\n.env\n*.local.json\n');
  repo.commitAll('ignore');
  const wt = await createTaskWorktree({ repoDir: repo.root, taskId: 'ign', path: path.join(base, 'ign'), startPoint: 'HEAD' });
  fs.mkdirSync(path.join(wt.path, 'node_modules', 'x'), { recursive: true });
  fs.writeFileSync(path.join(wt.path, 'node_modules', 'x', 'index.js'), '');
  fs.mkdirSync(path.join(wt.path, 'dist'));
  fs.writeFileSync(path.join(wt.path, 'dist', 'out.js'), '');
  fs.writeFileSync(path.join(wt.path, '.env'), 'SECRET=1\n');
  fs.writeFileSync(path.join(wt.path, 'hooks.local.json'), '{}');
  await assert.rejects(removeWorktree(wt.path), (err: unknown) => {
    assert.ok(err instanceof WorktreeIgnoredFilesError);
    assert.deepEqual([...err.files].sort(), ['.env', 'hooks.local.json']);
    assert.match(err.message, /has ignored files that are not build output \(.*\.env.*\)/);
    return true;
  });
  assert.equal(fs.readFileSync(path.join(wt.path, '.env'), 'utf8'), 'SECRET=1\n', 'nothing lost');
  assert.ok((await listWorktrees(repo.root)).some((w) => w.path === wt.path), 'still registered');
  // Files the caller knows to be its own may go; build output always may.
  fs.rmSync(path.join(wt.path, '.env'));
  await removeWorktree(wt.path, { disposable: (key) => key === 'hooks.local.json' });
  assert.equal(fs.existsSync(wt.path), false);
}));

test('deleteBranch deletes only branches merged into the target and not checked out', withRepo(async (repo, base) => {
  const wt = await createTaskWorktree({ repoDir: repo.root, taskId: 'feat', path: path.join(base, 'feat'), startPoint: 'HEAD' });
  fs.writeFileSync(path.join(wt.path, 'f.txt'), 'f\n');
  repo.git('-C', wt.path, 'add', '-A');
  repo.git('-C', wt.path, 'commit', '-q', '-m', 'feat');
  await assert.rejects(deleteBranch(repo.root, 'lockstep/feat', 'main'), (err: unknown) => err instanceof BranchNotMergedError && /1 commit\(s\) not merged into main/.test(err.message));
  repo.git('merge', '-q', '--no-ff', '-m', 'merge', 'lockstep/feat');
  await assert.rejects(deleteBranch(repo.root, 'lockstep/feat', 'main'), /is checked out at .*feat; not deleted/);
  await removeWorktree(wt.path);
  await deleteBranch(repo.root, 'lockstep/feat', 'main');
  assert.equal(await readRef(repo.root, 'refs/heads/lockstep/feat'), undefined);
  assert.ok(await isAncestor(repo.root, 'HEAD~1', 'HEAD'));
  await assert.rejects(deleteBranch(repo.root, 'has space', 'main'), /branch: "has space" is not a valid branch name/);
}));

test('concurrent creations for different tasks are serialized and all succeed', withRepo(async (repo, base) => {
  const made = await Promise.all(['c1', 'c2', 'c3', 'c4'].map((id) => createTaskWorktree({ repoDir: repo.root, taskId: id, path: path.join(base, id), startPoint: 'HEAD' })));
  assert.deepEqual(made.map((m) => m.branch), ['lockstep/c1', 'lockstep/c2', 'lockstep/c3', 'lockstep/c4']);
  assert.equal((await listWorktrees(repo.root)).length, 5);
  assert.equal(await headCommit(made[0].path), repo.git('rev-parse', 'HEAD'));
}));

test('initializes submodules in the new worktree and removes it when clean', async () => {
  // Local file:// submodules are blocked by default since git 2.38.1; allow them for this test's processes.
  const saved = { ...process.env };
  Object.assign(process.env, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'protocol.file.allow', GIT_CONFIG_VALUE_0: 'always' });
  const lib = makeTempRepo({ files: { 'lib.txt': 'library\n' }, prefix: 'lockstep-sub-' });
  const repo = makeTempRepo();
  try {
    repo.git('submodule', 'add', '-q', lib.root, 'vendor/lib');
    repo.commitAll('add submodule');
    const wt = await createTaskWorktree({ repoDir: repo.root, taskId: 'sub', path: path.join(path.dirname(repo.root), 'with sub'), startPoint: 'HEAD' });
    assert.equal(wt.submodulesInitialized, true);
    assert.equal(fs.readFileSync(path.join(wt.path, 'vendor', 'lib', 'lib.txt'), 'utf8'), 'library\n');
    fs.writeFileSync(path.join(wt.path, 'vendor', 'lib', 'lib.txt'), 'changed inside the submodule\n');
    await assert.rejects(removeWorktree(wt.path), /vendor\/lib/);
    repo.git('-C', path.join(wt.path, 'vendor', 'lib'), 'checkout', '--', 'lib.txt');
    await removeWorktree(wt.path);
    assert.equal(fs.existsSync(wt.path), false);
  } finally {
    process.env = saved;
    repo.cleanup();
    lib.cleanup();
  }
});
