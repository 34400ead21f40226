// A store lock held by a process Lockstep cannot check (another host, or another container's pid
// namespace sharing the folder): it is never broken automatically (that could let two writers in),
// so every call fails with how to clear it, without waiting out its timeout once the lock is older
// than a wait, and `lockstep doctor` says the same. Following the instruction frees the store.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, test } from 'node:test';
import { acquireFileLock, LockTimeoutError } from '../../src/store/fileLock';
import { storePaths } from '../../src/store/storePaths';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let repo: TempRepo;
let lock: string;

before(() => {
  ensureBuilt();
  repo = makeTempRepo({ files: { 'a.ts': 'a\n' } });
  assert.equal(runCli(['status'], { cwd: repo.root }).status, 0);
  lock = storePaths(fs.realpathSync(`${repo.root}/.git`)).lock;
  fs.writeFileSync(lock, JSON.stringify({ pid: 4242, startTime: '123:boot', host: 'build-container-7', nonce: 'n', at: Date.now() - 3_600_000 }));
  const hourAgo = new Date(Date.now() - 3_600_000);
  fs.utimesSync(lock, hourAgo, hourAgo);
});
after(() => repo.cleanup());

test('a lock older than the wait, held from another host: the caller fails at once, told how to clear it', { timeout: 120_000 }, () => {
  // A 30-minute wait: the call returns only because such a lock is not waited for.
  assert.throws(
    () => acquireFileLock(lock, { timeoutMs: 30 * 60_000 }),
    (e: unknown) => e instanceof LockTimeoutError && /held from another host \(build-container-7\)\); Lockstep cannot check that process from here: if pid 4242 on build-container-7 is no longer running .*rm '.*lockstep\/lock/.test(e.message),
  );
  const claim = runCli(['claim', 'a.ts', '--session', 'human:me'], { cwd: repo.root, env: { LOCKSTEP_SESSION: '' } });
  assert.notEqual(claim.status, 0);
  assert.match(claim.stderr, /pid 4242 on build-container-7 is no longer running .*rm '/);
});

test('lockstep doctor says how to clear it, and following that frees the store', () => {
  const doctor = runCli(['doctor', '--check-only'], { cwd: repo.root, env: { LOCKSTEP_SESSION: '' } });
  assert.equal(doctor.status, 1, doctor.stdout);
  assert.match(doctor.stdout, /lock.*held for \d+ s by pid 4242 on build-container-7, which is held from another host \(build-container-7\); Lockstep cannot check that process from here: .*rm '([^']+)'/);
  const rm = /rm '([^']+)'/.exec(doctor.stdout)![1]!;
  fs.rmSync(rm);
  assert.equal(runCli(['claim', 'a.ts', '--session', 'human:me'], { cwd: repo.root, env: { LOCKSTEP_SESSION: '' } }).status, 0);
});
