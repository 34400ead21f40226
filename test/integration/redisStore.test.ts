// Team mode (#14): the store contract on a real redis-server (Debian's package, a private one on a
// free loopback port), two clones of one repository contending through real `lockstep hook`
// processes, fencing across a Redis restart, and a Redis that cannot be reached.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { locateRepo } from '../../src/repoPaths/repoLocator';
import { sleepSync } from '../../src/store/fileLock';
import { closeRedisBridges } from '../../src/store/redisBridge';
import { RedisStore } from '../../src/store/redisStore';
import { openLeaseStore } from '../../src/store/openLeaseStore';
import { normalizeRemoteUrl } from '../../src/store/teamStore';
import { storePaths } from '../../src/store/storePaths';
import { claudeToolPayload } from '../fixtures/hookPayloads';
import { ensureBuilt, runCli } from '../helpers/cli';
import { startRedisServer, type RedisServer } from '../helpers/redisServer';
import { teamRepos } from '../helpers/teamRepos';

let redis: RedisServer;
let teams = 0;

before(async () => {
  ensureBuilt();
  redis = await startRedisServer({ aof: true });
});
after(async () => {
  await closeRedisBridges();
  await redis.cleanup();
  removeRepos();
});

const { clone, cleanup: removeRepos } = teamRepos();

/** A store on this test's Redis under a team key of its own. */
function teamStore(root: string, team = `t${++teams}-${process.pid}`): RedisStore {
  return new RedisStore(locateRepo(root).commonDir, redis.url, team);
}

const sessionInit = (id: string, worktree: string) => ({ id, agent: 'claude' as const, cwd: worktree, worktree });

test('origin URLs: ssh, scp-like and https forms of one repository give one team key', () => {
  const key = 'github.com/acme/shop';
  for (const url of ['git@github.com:acme/shop.git', 'ssh://git@github.com/acme/shop.git', 'ssh://git@github.com:22/acme/shop', 'https://github.com/acme/shop', 'https://user:pw@GitHub.com/Acme/Shop.git/']) {
    assert.equal(normalizeRemoteUrl(url), key, url);
  }
  assert.notEqual(normalizeRemoteUrl('git@github.com:acme/shop-api.git'), key);
});

test('Redis store: all-or-nothing grants, owner tokens, fences, journal; unchanged or failed transactions write nothing', () => {
  const r = clone('git@example.com:acme/contract.git');
  const store = teamStore(r.root);
  const granted = store.transact((t) => {
    t.touchSession(sessionInit('claude:s1', r.root));
    return t.acquire('claude:s1', ['src/a.ts', 'src/b.ts']);
  });
  assert.ok(granted.ok);
  assert.deepEqual(granted.leases.map((l) => l.fence), [1, 2]);
  assert.notEqual(granted.leases[0]!.ownerToken, granted.leases[1]!.ownerToken);
  assert.deepEqual(Object.keys(store.read().leases).sort(), ['src/a.ts', 'src/b.ts']);
  const j = store.readJournal();
  assert.deepEqual(j.entries.map((e) => e.op), ['session-start', 'grant', 'grant']);

  const stamp = store.stateStamp();
  assert.equal(store.transact((t) => t.state.fence), 2, 'read-only transaction');
  assert.throws(() => store.transact((t) => (t.releaseAllOf('claude:s1'), assert.fail('changed my mind'))), /changed my mind/);
  assert.equal(store.stateStamp(), stamp, 'nothing committed');
  assert.equal(store.readJournal(j.nextOffset).entries.length, 0);

  // All or nothing: one held key denies the whole request, and the denial changes no lease.
  store.transact((t) => t.touchSession(sessionInit('claude:s2', r.root)));
  const before = store.stateStamp();
  const denied = store.transactUnlessDenied((t) => {
    t.touchSession(sessionInit('claude:s2', r.root));
    return t.acquire('claude:s2', ['src/c.ts', 'src/b.ts']);
  });
  assert.equal(denied.ok, false);
  assert.equal(store.stateStamp(), before, 'a denial commits no table');
  assert.equal(store.read().leases['src/c.ts'], undefined);
  const last = store.readJournal().entries.at(-1)!;
  assert.deepEqual([last.op, last.key, last.holder], ['deny', 'src/b.ts', 'claude:s1']);

  // Owner tokens: a wrong one is refused, the right one renews and releases.
  const a = granted.leases[0]!;
  assert.equal(store.transact((t) => t.releaseWithToken('src/a.ts', '0'.repeat(32))).ok, false);
  assert.equal(store.transact((t) => t.renew('src/a.ts', a.ownerToken)).ok, true);
  assert.equal(store.transact((t) => t.releaseWithToken('src/a.ts', a.ownerToken)).ok, true);
  // Session end frees the rest; a new grant gets a higher fence.
  assert.deepEqual(store.transact((t) => t.endSession('claude:s1', 'done').map((l) => l.key)), ['src/b.ts']);
  const again = store.transact((t) => t.acquire('claude:s2', ['src/a.ts']));
  assert.ok(again.ok && again.leases[0]!.fence === 3);
});

test('expiry uses the server clock: a lease past its TTL is freed for the next session', () => {
  const r = clone('git@example.com:acme/ttl.git');
  const store = teamStore(r.root);
  store.transact((t) => (t.touchSession(sessionInit('claude:old', r.root)), t.acquire('claude:old', ['src/a.ts'], { ttlMs: 200 })));
  const early = store.transact((t) => (t.touchSession(sessionInit('claude:new', r.root)), t.acquire('claude:new', ['src/a.ts'])));
  assert.equal(early.ok, false);
  const wait = Date.now() + 300;
  while (Date.now() < wait) execFileSync('sleep', ['0.05']);
  const later = store.transact((t) => t.acquire('claude:new', ['src/a.ts']));
  assert.ok(later.ok);
  assert.ok(store.readJournal().entries.some((e) => e.op === 'expire' && e.key === 'src/a.ts' && e.reason === 'ttl elapsed'));
});

test('two clones (ssh and https remotes) contend for one file through real hook processes; fences survive a Redis restart', async () => {
  const a = clone('git@example.com:acme/shop.git');
  const b = clone('https://example.com/acme/shop');
  const env = { LOCKSTEP_STORE: redis.url };
  const hook = (root: string, session: string) => {
    const p = runCli(['hook', '--agent', 'claude'], { cwd: root, env, input: JSON.stringify(claudeToolPayload('PreToolUse', session, root, path.join(root, 'src/a.ts'))) });
    return { out: JSON.parse(p.stdout || '{}') as { hookSpecificOutput?: { permissionDecision?: string; permissionDecisionReason?: string } }, p };
  };
  const first = hook(a.root, 'sess-a');
  assert.equal(first.p.status, 0, first.p.stderr);
  assert.notEqual(first.out.hookSpecificOutput?.permissionDecision, 'deny', first.p.stdout);
  const second = hook(b.root, 'sess-b');
  assert.equal(second.out.hookSpecificOutput?.permissionDecision, 'deny');
  assert.match(second.out.hookSpecificOutput!.permissionDecisionReason!, /src\/a\.ts is held by claude session/);
  // Nothing went to the embedded store of either clone.
  for (const r of [a, b]) assert.equal(fs.existsSync(storePaths(locateRepo(r.root).commonDir).slots[0]), false);

  const store = openLeaseStore(locateRepo(b.root).commonDir, {}, env) as RedisStore;
  assert.equal(store.teamKey, 'example.com/acme/shop');
  const fence = store.read().leases['src/a.ts']!.fence;
  await redis.restart(); // SIGKILL; the AOF (fsync always) keeps every commit
  const after = store.transact((t) => (t.touchSession(sessionInit('claude:late', b.root)), t.acquire('claude:late', ['src/b.ts'])));
  assert.ok(after.ok);
  assert.ok(after.leases[0]!.fence > fence, 'fences go on from the counter after the restart');
  assert.equal(store.read().leases['src/a.ts']!.session, 'claude:sess-a');
});

test('Redis unreachable: the hook denies with a one-line reason (or allows when fail-open); the embedded store is never used', async () => {
  const r = clone('git@example.com:acme/down.git');
  const dead = await startRedisServer();
  const url = dead.url;
  await dead.cleanup();
  const payload = JSON.stringify(claudeToolPayload('PreToolUse', 'sess-down', r.root, path.join(r.root, 'src/a.ts')));
  const closed = runCli(['hook', '--agent', 'claude'], { cwd: r.root, env: { LOCKSTEP_STORE: url }, input: payload });
  const out = JSON.parse(closed.stdout) as { hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string } };
  assert.equal(out.hookSpecificOutput.permissionDecision, 'deny');
  assert.match(out.hookSpecificOutput.permissionDecisionReason, new RegExp(`team store ${url.replace(/[/.]/g, '\\$&')} unreachable`));
  assert.ok(!out.hookSpecificOutput.permissionDecisionReason.includes('\n'));
  const open = runCli(['hook', '--agent', 'claude'], { cwd: r.root, env: { LOCKSTEP_STORE: url, LOCKSTEP_FAIL_OPEN: '1' }, input: payload });
  assert.equal(open.status, 0);
  assert.match(open.stderr, /failing open .*unreachable/);
  assert.equal(fs.existsSync(storePaths(locateRepo(r.root).commonDir).slots[0]), false, 'no embedded lease table was written');
  assert.equal(fs.existsSync(storePaths(locateRepo(r.root).commonDir).slots[1]), false, 'no embedded lease table was written');
});

test('a commit that reaches Redis after its writer gave up is refused there: no lease for an agent told the store did not answer', () => {
  const r = clone('git@example.com:acme/late-commit.git');
  const team = `late-${process.pid}`;
  // A writer whose commands time out after 300 ms (its own bridge: another spelling of the URL).
  process.env.LOCKSTEP_STORE_TIMEOUT_MS = '300';
  const impatient = new RedisStore(locateRepo(r.root).commonDir, `${redis.url}/0`, team);
  delete process.env.LOCKSTEP_STORE_TIMEOUT_MS;
  impatient.transact((t) => t.touchSession(sessionInit('claude:late', r.root)));
  let blocker: ReturnType<typeof spawn> | undefined;
  assert.throws(
    () =>
      impatient.transact((t) => {
        // Between this writer's read and its commit, Redis is busy for 1.5 s (a script spinning on
        // the server's clock), so the commit waits in Redis's queue while the writer times out.
        blocker = spawn('redis-cli', ['-p', String(redis.port), 'EVAL', "local s = redis.call('TIME') local t repeat t = redis.call('TIME') until (t[1] - s[1]) * 1000000 + (t[2] - s[2]) > 1500000 return 1", '0'], { stdio: 'ignore' });
        sleepSync(300);
        return t.acquire('claude:late', ['src/late.ts']);
      }),
    /no answer|timed out|unreachable/i,
  );
  return new Promise<void>((resolve) => blocker!.on('exit', () => resolve())).then(() => {
    const table = teamStore(r.root, team).read();
    assert.equal(table.leases['src/late.ts'], undefined, 'the late commit took effect');
  });
});
