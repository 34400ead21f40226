// A holder paused with SIGSTOP keeps its lease (a stopped process is alive), until its TTL: past it
// the lease goes to another session, and after SIGCONT its old owner token is refused for renew and
// release. Two holders: one with a TTL no slow machine can reach during the test (its lease must hold
// while it is stopped, always asserted), one with a short TTL (its lease must go).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { test } from 'node:test';
import { ensureBuilt, PROJECT_ROOT, runCli } from '../helpers/cli';
import { makeTempRepo } from '../helpers/tempRepo';

const HOLDER = path.join(__dirname, 'fixtures', 'pausedHolder.ts');
/** Longer than this whole test can take (its timeout is 60 s). */
const LONG_TTL_MS = 10 * 60 * 1000;
const SHORT_TTL_MS = 2500;

interface Holder {
  child: ChildProcess;
  next: () => Promise<any>;
}

function startHolder(commonDir: string, key: string, ttlMs: number): Holder {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, commonDir, key, String(ttlMs)], {
    cwd: PROJECT_ROOT, // where tsx resolves
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { child, next: async () => JSON.parse((await lines.next()).value as string) };
}

test('SIGSTOP: the lease holds until the TTL, then goes to another session; the old token is refused after SIGCONT', { timeout: 60_000 }, async () => {
  ensureBuilt();
  const repo = makeTempRepo();
  const commonDir = path.join(repo.root, '.git');
  const holders: Holder[] = [];
  try {
    const long = startHolder(commonDir, 'src/held.ts', LONG_TTL_MS);
    holders.push(long);
    const longFirst = await long.next();
    assert.match(longFirst.token, /^[0-9a-f]{32}$/);
    const short = startHolder(commonDir, 'src/a.ts', SHORT_TTL_MS);
    holders.push(short);
    const first = await short.next();
    assert.match(first.token, /^[0-9a-f]{32}$/);
    const grantedAt = Date.now();

    // A stopped holder is alive: its lease holds (its TTL cannot have run out, however slow the machine).
    long.child.kill('SIGSTOP');
    short.child.kill('SIGSTOP');
    const early = runCli(['claim', 'src/held.ts', '--session', 'codex:other', '--json'], { cwd: repo.root });
    assert.equal(early.status, 3, 'a stopped holder is alive: its lease holds until the TTL');
    assert.match(early.stderr, new RegExp(`src/held\\.ts is held by the user \\(${longFirst.session}\\)`));

    // Past the short TTL the stopped holder's lease is free.
    await new Promise((r) => setTimeout(r, Math.max(0, grantedAt + SHORT_TTL_MS + 300 - Date.now())));
    const taken = runCli(['claim', 'src/a.ts', '--session', 'codex:other', '--json'], { cwd: repo.root });
    assert.equal(taken.status, 0, taken.stderr);
    const lease = JSON.parse(taken.stdout).leases[0];
    assert.ok(lease.fence > first.fence, 'a new fencing token');
    // Still stopped, longer than the other lease's whole TTL, and still holding.
    assert.equal(runCli(['claim', 'src/held.ts', '--session', 'codex:other'], { cwd: repo.root }).status, 3);

    short.child.kill('SIGCONT');
    short.child.stdin!.write('renew\n');
    const renew = await short.next();
    assert.equal(renew.renew.ok, false);
    assert.match(renew.renew.reason, /not held with this owner token/);
    short.child.stdin!.write('release\n');
    const release = await short.next();
    assert.equal(release.release.ok, false);
    const cliRenew = runCli(['renew', 'src/a.ts', '--token', first.token], { cwd: repo.root });
    assert.equal(cliRenew.status, 3);

    const st = JSON.parse(runCli(['status', '--json'], { cwd: repo.root }).stdout);
    const held = st.leases.find((l: any) => l.key === 'src/a.ts');
    assert.equal(held.session, 'codex:other');
    assert.equal(held.fence, lease.fence);
    assert.equal(st.leases.find((l: any) => l.key === 'src/held.ts').session, longFirst.session);
    short.child.stdin!.write('exit\n');
  } finally {
    for (const h of holders) {
      h.child.kill('SIGCONT');
      h.child.kill('SIGKILL');
    }
    repo.cleanup();
  }
});
