// `lockstep doctor` in team mode (#14): the real redis-server's connection, version, persistence
// (a warning when AOF and RDB are both off) and clock skew; a stopped server is a problem in one line.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { locateRepo } from '../../src/repoPaths/repoLocator';
import { closeRedisBridges } from '../../src/store/redisBridge';
import { RedisStore } from '../../src/store/redisStore';
import { checkTeamStore } from '../../src/store/teamDoctor';
import { ensureBuilt, runCli } from '../helpers/cli';
import { startRedisServer, type RedisServer } from '../helpers/redisServer';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let volatile: RedisServer;
let durable: RedisServer;
let repo: TempRepo;

before(async () => {
  ensureBuilt();
  [volatile, durable] = await Promise.all([startRedisServer(), startRedisServer({ aof: true })]);
  repo = makeTempRepo();
  execFileSync('git', ['remote', 'add', 'origin', 'git@example.com:team/doctor.git'], { cwd: repo.root });
});
after(async () => {
  await closeRedisBridges();
  await Promise.all([volatile.cleanup(), durable.cleanup()]);
  repo.cleanup();
});

interface Check {
  name: string;
  ok: boolean;
  warning?: boolean;
  detail: string;
}
function doctorText(url: string) {
  return runCli(['doctor', '--check-only'], { cwd: repo.root, env: { LOCKSTEP_STORE: url } });
}
function doctor(url: string) {
  const p = runCli(['doctor', '--check-only', '--json'], { cwd: repo.root, env: { LOCKSTEP_STORE: url } });
  const body = JSON.parse(p.stdout) as { team?: { store: string; healthy: boolean; checks: Check[] } };
  return { p, team: body.team! };
}
const byName = (checks: Check[]) => Object.fromEntries(checks.map((c) => [c.name, c]));

test('a server without AOF or RDB: connected, its version, a persistence warning, the clock skew', () => {
  const { team } = doctor(volatile.url);
  assert.equal(team.store, `${volatile.url} (team example.com/team/doctor)`);
  assert.equal(team.healthy, true);
  const c = byName(team.checks);
  assert.deepEqual(Object.keys(c), ['team store', 'redis version', 'persistence', 'clock skew']);
  assert.match(c['team store']!.detail, /answered in \d+ ms \(standalone\); it holds the team's lease table, decision log and mailboxes$/);
  const installed = execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).match(/v=(\S+)/)![1];
  assert.equal(c['redis version']!.detail, `Redis ${installed}`);
  assert.equal(c.persistence!.warning, true);
  assert.match(c.persistence!.detail, /AOF and RDB snapshots are both off: a Redis restart loses every lease, note and message/);
  assert.equal(c['clock skew']!.warning, undefined, 'same machine, same clock');
  assert.match(c['clock skew']!.detail, /^server clock \d+ ms (ahead of|behind) this machine's \(±\d+ ms\)/);

  const text = doctorText(volatile.url).stdout;
  assert.match(text, /^Team store redis:\/\/127\.0\.0\.1:\d+ \(team example\.com\/team\/doctor\)$/m);
  assert.match(text, /^ {2}warning {2}persistence: AOF and RDB snapshots are both off/m);
});

test('a server with AOF: persistence ok', () => {
  const { team } = doctor(durable.url);
  const c = byName(team.checks);
  assert.equal(c.persistence!.ok, true);
  assert.equal(c.persistence!.warning, undefined);
  assert.equal(c.persistence!.detail, 'AOF on, RDB snapshots off');
});

test('clock skew beyond a second is a warning naming the offset', () => {
  const store = new RedisStore(locateRepo(repo.root).commonDir, volatile.url, 'skew');
  const skewed = byName(checkTeamStore(store, () => Date.now() - 5000));
  assert.equal(skewed['clock skew']!.warning, true);
  assert.match(skewed['clock skew']!.detail, /^server clock (49\d\d|50\d\d) ms ahead of this machine's .*sync this machine's clock/);
});

test('a stopped server: a problem in one line, exit status 1', async () => {
  const gone = await startRedisServer();
  await gone.cleanup();
  const { p, team } = doctor(gone.url);
  assert.equal(p.status, 1);
  assert.equal(team.healthy, false);
  assert.equal(team.checks.length, 1);
  assert.match(team.checks[0]!.detail, new RegExp(`^team store ${gone.url.replace(/[/.]/g, '\\$&')} unreachable: .*ECONNREFUSED`));
});
