// Crash safety: a landing process killed with SIGKILL at each step leaves the target at the old commit
// or at the complete landing, never a subset; cleanupLandingLeftovers removes what it left behind and
// finishes the checkout update; the next landing takes over the dead process's lock.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempRepo } from '../helpers/tempRepo';
import { land } from '../../src/git/landing';
import { cleanupLandingLeftovers } from '../../src/git/landingLeftovers';
import { checkFolders, commitOnBranch, extraWorktrees, fileAt, gitIn, isAncestorSync, refsUnder } from './fixtures/landingRepo';

const CHILD = path.join(__dirname, 'fixtures', 'landingCrashChild.ts');

function runChild(input: object, env: Record<string, string>): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(input)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const FAULTS: { fault: string; verify: boolean; expect: 'old' | 'landed' }[] = [
  { fault: 'after-merge:1', verify: false, expect: 'old' },
  { fault: 'after-merge:2', verify: false, expect: 'old' },
  { fault: 'after-candidate', verify: true, expect: 'old' },
  { fault: 'during-check', verify: true, expect: 'old' },
  { fault: 'before-ref-update', verify: true, expect: 'old' },
  { fault: 'after-ref-update', verify: true, expect: 'landed' },
];

// Independent repositories: run two at a time (most of the time is spent waiting on child processes).
describe('kill -9 at each landing step', { concurrency: 2 }, () => {
for (const { fault, verify, expect } of FAULTS) {
  test(`SIGKILL ${fault}: target is ${expect === 'old' ? 'the old commit' : 'the complete landing'}; leftovers are cleaned`, async () => {
    const repo = makeTempRepo({ files: { 'README.md': '# r\n', 'shared.txt': 'one\n1\n2\n3\ntwo\n' } });
    const pidFile = path.join(path.dirname(repo.root), 'check.pid');
    try {
      const base = repo.git('rev-parse', 'HEAD');
      const t1 = commitOnBranch(repo, 'lockstep/t1', base, { 'a.txt': 'a\n', 'shared.txt': 'ONE\n1\n2\n3\ntwo\n' });
      const t2 = commitOnBranch(repo, 'lockstep/t2', base, { 'b.txt': 'b\n', 'shared.txt': 'one\n1\n2\n3\nTWO\n' });
      const tasks = [{ id: 't1', branch: 'lockstep/t1' }, { id: 't2', branch: 'lockstep/t2' }];
      // The check records its pid (so this test can stop it if the landing process died under it) and takes a moment.
      const check = { command: [process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setTimeout(() => {}, 700)`], timeoutMs: 30_000, maxOutputBytes: 10_000 };
      const input = { repoDir: repo.root, target: 'main', tasks, atomic: true, ...(verify ? { verify: check } : {}) };

      const child = await runChild(input, { LOCKSTEP_FAULT: fault });
      assert.equal(child.signal, 'SIGKILL', `child died by SIGKILL (code ${child.code}, stderr ${child.stderr})`);

      const now = repo.git('rev-parse', 'main');
      if (expect === 'old') {
        assert.equal(now, base, 'target untouched');
        assert.deepEqual(refsUnder(repo, 'refs/lockstep/landings/'), []);
      } else {
        // complete: both tasks in, merged in order, recorded
        assert.notEqual(now, base);
        assert.ok(isAncestorSync(repo, t1, now) && isAncestorSync(repo, t2, now));
        assert.equal(repo.git('rev-parse', `${now}^1^1`), base);
        assert.equal(fileAt(repo, now, 'shared.txt'), 'ONE\n1\n2\n3\nTWO\n');
        assert.deepEqual(refsUnder(repo, 'refs/lockstep/landings/'), ['refs/lockstep/landings/1']);
      }

      const report = await cleanupLandingLeftovers(repo.root);
      assert.equal(report.skipped, undefined);
      assert.deepEqual(report.problems, []);
      assert.deepEqual(extraWorktrees(repo), []);
      assert.deepEqual(checkFolders(repo), []);
      assert.deepEqual(refsUnder(repo, 'refs/lockstep/tmp/'), []);
      if (fault === 'during-check' || fault === 'after-candidate' || fault === 'before-ref-update') assert.equal(report.removedRefs.length, 1, 'the temporary ref was removed');
      if (fault === 'during-check') assert.equal(report.removedWorktrees.length, 1, 'the check worktree was removed');
      if (expect === 'landed') assert.deepEqual(report.completedCheckouts, [repo.root]);
      // the main checkout matches the target
      assert.equal(gitIn(repo.root, ['status', '--porcelain']), '');
      assert.equal(fs.existsSync(path.join(repo.root, 'a.txt')), expect === 'landed');

      // the dead process's lock is taken over; landing again completes (or finds everything merged)
      const again = await land({ repoDir: repo.root, target: 'main', tasks, atomic: true, lockWaitMs: 5000 });
      assert.equal(again.ok, true);
      assert.equal(again.landed.every((l) => l.alreadyMerged), expect === 'landed');
      assert.equal(fileAt(repo, 'main', 'shared.txt'), 'ONE\n1\n2\n3\nTWO\n');
      assert.equal(gitIn(repo.root, ['status', '--porcelain']), '');
    } finally {
      try {
        process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        /* not started or already finished */
      }
      repo.cleanup();
    }
  });
}
});

test('cleanupLandingLeftovers does nothing while a landing is running', async () => {
  const repo = makeTempRepo();
  try {
    const base = repo.git('rev-parse', 'HEAD');
    commitOnBranch(repo, 'lockstep/t1', base, { 'a.txt': 'a\n' });
    let report: Awaited<ReturnType<typeof cleanupLandingLeftovers>> | undefined;
    const r = await land({
      repoDir: repo.root,
      target: 'main',
      tasks: [{ id: 't1', branch: 'lockstep/t1' }],
      atomic: true,
      verify: { command: [process.execPath, '-e', ''], timeoutMs: 30_000, maxOutputBytes: 100 },
      onStep: async (s) => {
        if (s.kind === 'check-started') report = await cleanupLandingLeftovers(repo.root);
      },
    });
    assert.equal(r.ok, true);
    assert.match(report?.skipped ?? '', /^a landing is in progress/);
  } finally {
    repo.cleanup();
  }
});
