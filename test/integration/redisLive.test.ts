// Team mode live (#14): two coordinators on two clones of one repository (ssh and https remotes)
// share one Redis; each sees the other's leases as they are taken and freed (pub/sub, a re-read on
// every reconnection), and the other's notes and messages. redis-server stopped: both say the store is disconnected (what the status bar
// shows); started again: both resynchronise and go on seeing each other's changes.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { claudeToolPayload } from '../fixtures/hookPayloads';
import { ensureBuilt, runCli } from '../helpers/cli';
import { startRedisServer, type RedisServer } from '../helpers/redisServer';
import { teamRepos } from '../helpers/teamRepos';
import { startServer, type ServerHandle } from './serverHarness';
import { memoryChangedNotification, memoryRequests, MemoryState } from '../../src/protocol/memoryMethods';

async function until(what: string, cond: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let redis: RedisServer;
const servers: ServerHandle[] = [];

before(async () => {
  ensureBuilt();
  redis = await startRedisServer({ aof: true });
});
after(async () => {
  for (const s of servers) await s.stop();
  await redis.cleanup();
  removeRepos();
});

const { clone, cleanup: removeRepos } = teamRepos();

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

  // The decision log and mailboxes are the team's too: a note written in clone A and a message sent
  // from B's coordinator (as from VS Code) show in the other coordinator's memory state.
  const memoryOf = (srv: ServerHandle) => srv.conn.sendRequest(memoryRequests.getMemoryState.type.method, {}) as Promise<MemoryState>;
  let pushedToB: MemoryState | undefined;
  sb.conn.onNotification(memoryChangedNotification.method, (raw: unknown) => void (pushedToB = MemoryState.parse(raw)));
  const noted = runCli(['note', 'Dates are ISO 8601', '--session', 'human:ann'], { cwd: a.root, env });
  assert.equal(noted.status, 0, noted.stderr);
  await until('A’s note pushed by B’s coordinator', async () => pushedToB?.notes.some((n) => n.text === 'Dates are ISO 8601' && n.by === 'human:ann') ?? false);
  await sb.conn.sendRequest(memoryRequests.sendMessage.type.method, { to: 'claude:live-a', text: 'rebase on main' });
  await until('the message unread in A’s coordinator', async () => (await memoryOf(sa)).unread.some((u) => u.session === 'claude:live-a' && u.count === 1));

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
