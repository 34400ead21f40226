// A holder paused with SIGSTOP past its TTL loses the lease (a stopped process is alive, so only the
// TTL frees it); after SIGCONT its old owner token is refused for renew and release.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { test } from 'node:test';
import { ensureBuilt, PROJECT_ROOT, runCli } from '../helpers/cli';
import { makeTempRepo } from '../helpers/tempRepo';

const HOLDER = path.join(__dirname, 'fixtures', 'pausedHolder.ts');
const TTL_MS = 2500;

test('SIGSTOP past the TTL: the lease goes to another session; the old token is refused after SIGCONT', { timeout: 60_000 }, async () => {
  ensureBuilt();
  const repo = makeTempRepo();
  const holder = spawn(process.execPath, ['--import', 'tsx', HOLDER, path.join(repo.root, '.git'), 'src/a.ts', String(TTL_MS)], {
    cwd: PROJECT_ROOT, // where tsx resolves
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const lines = readline.createInterface({ input: holder.stdout! })[Symbol.asyncIterator]();
    const next = async () => JSON.parse((await lines.next()).value as string);
    const first = await next();
    assert.match(first.token, /^[0-9a-f]{32}$/);
    const grantedAt = Date.now();

    holder.kill('SIGSTOP');
    const early = runCli(['claim', 'src/a.ts', '--session', 'codex:other', '--json'], { cwd: repo.root });
    if (Date.now() - grantedAt < TTL_MS - 500) {
      assert.equal(early.status, 3, 'a stopped holder is alive: its lease holds until the TTL');
      assert.match(early.stderr, /src\/a\.ts is held by the user \(human:paused-\d+\)/);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, grantedAt + TTL_MS + 300 - Date.now())));
    const taken = runCli(['claim', 'src/a.ts', '--session', 'codex:other', '--json'], { cwd: repo.root });
    assert.equal(taken.status, 0, taken.stderr);
    const lease = JSON.parse(taken.stdout).leases[0];
    assert.ok(lease.fence > first.fence, 'a new fencing token');

    holder.kill('SIGCONT');
    holder.stdin!.write('renew\n');
    const renew = await next();
    assert.equal(renew.renew.ok, false);
    assert.match(renew.renew.reason, /not held with this owner token/);
    holder.stdin!.write('release\n');
    const release = await next();
    assert.equal(release.release.ok, false);
    const cliRenew = runCli(['renew', 'src/a.ts', '--token', first.token], { cwd: repo.root });
    assert.equal(cliRenew.status, 3);

    const st = JSON.parse(runCli(['status', '--json'], { cwd: repo.root }).stdout);
    const held = st.leases.find((l: any) => l.key === 'src/a.ts');
    assert.equal(held.session, 'codex:other');
    assert.equal(held.fence, lease.fence);
    holder.stdin!.write('exit\n');
  } finally {
    holder.kill('SIGCONT');
    holder.kill('SIGKILL');
    repo.cleanup();
  }
});
