// Team mode live (#14): two coordinators on two clones of one repository (ssh and https remotes)
// share one Redis; each sees the other's leases as they are taken and freed (pub/sub, a re-read on
// every reconnection). redis-server stopped: both say the store is disconnected (what the status bar
// shows); started again: both resynchronise and go on seeing each other's changes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { claudeToolPayload } from '../fixtures/hookPayloads';
import { ensureBuilt, runCli } from '../helpers/cli';
import { startRedisServer, type RedisServer } from '../helpers/redisServer';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { startServer, type ServerHandle } from './serverHarness';

let redis: RedisServer;
const repos: TempRepo[] = [];
const servers: ServerHandle[] = [];

before(async () => {
  ensureBuilt();
  redis = await startRedisServer({ aof: true });
});
after(async () => {
  for (const s of servers) await s.stop();
  await redis.cleanup();
  for (const r of repos) r.cleanup();
});

function clone(origin: string): TempRepo {
  const r = makeTempRepo();
  execFileSync('git', ['remote', 'add', 'origin', origin], { cwd: r.root });
  repos.push(r);
  return r;
}

test('two coordinators on two clones see each other’s leases live, show the store disconnected, and resync after it returns', { timeout: 240_000 }, async () => {
  const a = clone('git@example.com:team/live.git');
  const b = clone('https://example.com/team/live.git');
  const env = { LOCKSTEP_STORE: redis.url, LOCKSTEP_TEAM_KEY: '' };
  const hook = (root: string, session: string, file: string) =>
    runCli(['hook', '--agent', 'claude'], { cwd: root, env, input: JSON.stringify(claudeToolPayload('PreToolUse', session, root, path.join(root, file))) });
  const [sa, sb] = await Promise.all([startServer({ root: a.root, env }), startServer({ root: b.root, env })]);
  servers.push(sa, sb);
  for (const s of [sa, sb]) {
    const snap = await s.waitFor('team mode', (x) => x.config.store !== undefined);
    assert.equal(snap.config.store, `${redis.url} (team example.com/team/live)`);
  }

  // A lease taken in clone A shows in B's coordinator, and the other way round.
  const t0 = Date.now();
  assert.equal(hook(a.root, 'live-a', 'src/a.ts').status, 0);
  await sb.waitFor('A’s lease in B', (x) => x.leases.some((l) => l.key === 'src/a.ts' && l.session === 'claude:live-a'));
  const seenInB = Date.now() - t0;
  assert.equal(hook(b.root, 'live-b', 'src/b.ts').status, 0);
  await sa.waitFor('B’s lease in A', (x) => x.leases.some((l) => l.key === 'src/b.ts' && l.session === 'claude:live-b'));
  process.stdout.write(`# a hook's lease in clone A reached clone B's coordinator ${seenInB} ms after the hook started (hook process included)\n`);

  // Freed in A: gone in B.
  const released = runCli(['release', 'src/a.ts', '--force', '--session', 'human:lead'], { cwd: a.root, env });
  assert.equal(released.status, 0, released.stderr);
  await sb.waitFor('A’s lease gone in B', (x) => !x.leases.some((l) => l.key === 'src/a.ts'));

  // The server goes away: both coordinators say so (the status bar's "store disconnected").
  await redis.stop();
  for (const s of [sa, sb]) {
    const down = await s.waitFor('store disconnected', (x) => x.config.storeProblem !== undefined, 20_000);
    assert.match(down.config.storeProblem!, /^team store redis:\/\/127\.0\.0\.1:\d+ (\(team example\.com\/team\/live\) )?unreachable: /);
    assert.ok(!down.config.storeProblem!.includes('\n'));
  }
  await redis.start();
  for (const s of [sa, sb]) await s.waitFor('store connected again', (x) => x.config.storeProblem === undefined, 30_000);
  // Nothing lost across the restart (AOF), and changes flow again both ways.
  assert.ok(sa.state()!.leases.some((l) => l.key === 'src/b.ts'));
  assert.equal(hook(a.root, 'live-a2', 'src/c.ts').status, 0);
  await sb.waitFor('a lease taken after the restart, in B', (x) => x.leases.some((l) => l.key === 'src/c.ts'));
  assert.equal(hook(b.root, 'live-b2', 'src/d.ts').status, 0);
  await sa.waitFor('and in A', (x) => x.leases.some((l) => l.key === 'src/d.ts'));
});
