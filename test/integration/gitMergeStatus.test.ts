// status (porcelain v2), merge simulation (merge-tree) and changed files on real temp repositories,
// plus the git runner's one-line errors and lock-contention retries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempRepo } from '../helpers/tempRepo';
import { worktreeChanges, changedKeys } from '../../src/git/status';
import { changedSince, mergeTreeConflicts, mergeTrees } from '../../src/git/mergeTree';
import { GitCommandError, git, runGit } from '../../src/git/gitRunner';
import { resolveCommits, readCommitAndTree } from '../../src/git/repository';

test('worktreeChanges reports modified, added, deleted, renamed and untracked files as repo-relative keys', async () => {
  const repo = makeTempRepo({ files: { 'a.txt': 'a\n', 'b.txt': 'b\n', 'dir with space/c.txt': 'c\n'.repeat(20), 'd.txt': 'd\n', 'keep.txt': 'k\n' } });
  try {
    fs.writeFileSync(path.join(repo.root, 'a.txt'), 'changed\n');
    fs.rmSync(path.join(repo.root, 'b.txt'));
    repo.git('mv', 'dir with space/c.txt', 'dir with space/renamed é.txt');
    repo.write('staged-new.txt', 'new\n');
    repo.git('add', 'staged-new.txt');
    repo.write('sub/dir/untracked ü.txt', 'u\n');
    repo.git('rm', '-q', '--cached', 'd.txt');
    const changes = await worktreeChanges(repo.root);
    const byKey = new Map(changes.map((c) => [c.key, c]));
    assert.equal(byKey.get('a.txt')?.kind, 'modified');
    assert.equal(byKey.get('a.txt')?.unstaged, true);
    assert.equal(byKey.get('b.txt')?.kind, 'deleted');
    assert.equal(byKey.get('dir with space/renamed é.txt')?.kind, 'renamed');
    assert.equal(byKey.get('dir with space/renamed é.txt')?.from, 'dir with space/c.txt');
    assert.equal(byKey.get('staged-new.txt')?.kind, 'added');
    assert.equal(byKey.get('staged-new.txt')?.staged, true);
    assert.equal(byKey.get('sub/dir/untracked ü.txt')?.kind, 'untracked');
    // removed from the index but still on disk: a staged deletion and an untracked file
    assert.deepEqual(changes.filter((c) => c.key === 'd.txt').map((c) => [c.kind, c.staged]).sort(), [['deleted', true], ['untracked', false]]);
    assert.equal(byKey.has('keep.txt'), false);
    assert.ok(changedKeys(changes).has('dir with space/c.txt'));
  } finally {
    repo.cleanup();
  }
});

test('mergeTrees names conflicting paths and writes a tree for clean merges, touching no checkout', async () => {
  const repo = makeTempRepo({ files: { 'shared.txt': 'one\ntwo\nthree\n', 'other é.txt': 'x\n' } });
  try {
    const base = repo.git('rev-parse', 'HEAD');
    repo.git('checkout', '-q', '-b', 'left');
    repo.write('shared.txt', 'ONE\ntwo\nthree\n');
    repo.write('other é.txt', 'left\n');
    repo.commitAll('left');
    repo.git('checkout', '-q', '-b', 'right', base);
    repo.write('shared.txt', 'one\ntwo\nTHREE\n');
    repo.write('other é.txt', 'right\n');
    repo.commitAll('right');
    repo.git('checkout', '-q', '-b', 'clean', base);
    repo.write('new file.txt', 'n\n');
    repo.commitAll('clean');
    repo.git('checkout', '-q', 'main');
    const statusBefore = repo.git('status', '--porcelain');

    assert.deepEqual(await mergeTreeConflicts(repo.root, 'left', 'right'), ['other é.txt']);
    const clean = await mergeTrees(repo.root, 'left', 'clean');
    assert.equal(clean.clean, true);
    assert.deepEqual(clean.conflicts, []);
    assert.equal(repo.git('cat-file', '-p', `${clean.tree}:new file.txt`), 'n');
    assert.equal(repo.git('cat-file', '-p', `${clean.tree}:shared.txt`), 'ONE\ntwo\nthree');
    assert.equal(repo.git('status', '--porcelain'), statusBefore);
    assert.equal(repo.git('rev-parse', 'HEAD'), base);
    await assert.rejects(mergeTrees(repo.root, 'left', 'no-such-branch'), /git merge-tree .* failed: .*no-such-branch/);
  } finally {
    repo.cleanup();
  }
});

test('changedSince lists added, modified, deleted and renamed files', async () => {
  const repo = makeTempRepo({ files: { 'a.txt': 'a\n', 'gone.txt': 'g\n', 'long.txt': 'line\n'.repeat(50) } });
  try {
    const base = repo.git('rev-parse', 'HEAD');
    repo.write('a.txt', 'A\n');
    fs.rmSync(path.join(repo.root, 'gone.txt'));
    repo.git('mv', 'long.txt', 'moved ü.txt');
    repo.write('added.txt', 'new\n');
    const tip = repo.commitAll('changes');
    const changes = await changedSince(repo.root, base, tip);
    assert.deepEqual(
      changes.sort((x, y) => x.key.localeCompare(y.key)),
      [
        { key: 'a.txt', status: 'modified' },
        { key: 'added.txt', status: 'added' },
        { key: 'gone.txt', status: 'deleted' },
        { key: 'moved ü.txt', status: 'renamed', from: 'long.txt' },
      ],
    );
    // From the merge base: what a branch changed since it forked, ignoring later target commits.
    repo.git('checkout', '-q', '-b', 'side', base);
    repo.write('side.txt', 's\n');
    const side = repo.commitAll('side');
    assert.deepEqual(await changedSince(repo.root, tip, side, { fromMergeBase: true }), [{ key: 'side.txt', status: 'added' }]);
  } finally {
    repo.cleanup();
  }
});

test('git runner: one-line errors, answers from allowed exit codes, retries while index.lock is held', async () => {
  const repo = makeTempRepo();
  try {
    await assert.rejects(git(['rev-parse', '--verify', 'nope'], { cwd: repo.root }), (err: unknown) => {
      assert.ok(err instanceof GitCommandError);
      assert.equal(err.exitCode, 128);
      assert.doesNotMatch(err.message, /\n/);
      assert.match(err.message, /^git rev-parse --verify nope failed: fatal: Needed a single revision \(exit 128\)$/);
      return true;
    });
    const out = await runGit(['diff', '--quiet', 'HEAD'], { cwd: repo.root, okExitCodes: [1] });
    assert.equal(out.exitCode, 0);
    const [head, missing] = await resolveCommits(repo.root, ['refs/heads/main', 'refs/heads/missing']);
    assert.equal(head, repo.git('rev-parse', 'HEAD'));
    assert.equal(missing, undefined);
    assert.equal((await readCommitAndTree(repo.root, 'main'))?.tree, repo.git('rev-parse', 'HEAD^{tree}'));

    // Another git holds index.lock for a while: the add waits and then succeeds.
    const lock = path.join(repo.root, '.git', 'index.lock');
    fs.writeFileSync(lock, '');
    setTimeout(() => fs.rmSync(lock, { force: true }), 300);
    repo.write('new.txt', 'n\n');
    await runGit(['add', '--', 'new.txt'], { cwd: repo.root });
    assert.match(repo.git('status', '--porcelain'), /^A {2}new\.txt$/m);
    // A lock that is never released: bounded retries, then a one-line error.
    fs.writeFileSync(lock, '');
    await assert.rejects(runGit(['add', '--', 'README.md'], { cwd: repo.root, lockRetries: 2 }), /index\.lock': File exists/);
    fs.rmSync(lock);
  } finally {
    repo.cleanup();
  }
});
