// Choosing the store (#14): `lockstep config --store <url|embedded>` (and --team-key) writes
// config.json, which every hook process then follows; a coordinator notices that its store is no
// longer the configured one (the extension restarts it on that) and takes the setting through
// setConfig like the VS Code setting lockstep.store. Bad values are one line and change nothing.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { locateRepo } from '../../src/repoPaths/repoLocator';
import { storePaths } from '../../src/store/storePaths';
import { claudeToolPayload } from '../fixtures/hookPayloads';
import { ensureBuilt, runCli } from '../helpers/cli';
import { startRedisServer, type RedisServer } from '../helpers/redisServer';
import { teamRepos } from '../helpers/teamRepos';
import { startServer } from './serverHarness';

let redis: RedisServer;
const env = { LOCKSTEP_STORE: '', LOCKSTEP_TEAM_KEY: '' }; // the test machine's own settings must not leak in

before(async () => {
  ensureBuilt();
  redis = await startRedisServer();
});
after(async () => {
  await redis.cleanup();
  removeRepos();
});

const { clone, cleanup: removeRepos } = teamRepos();

const cli = (root: string, args: string[]) => runCli(args, { cwd: root, env });
const configFile = (root: string) => storePaths(locateRepo(root).commonDir).config;
const readConfig = (root: string) => (fs.existsSync(configFile(root)) ? fs.readFileSync(configFile(root), 'utf8') : '(none)');

function hook(root: string, session: string, file = 'src/a.ts') {
  const p = runCli(['hook', '--agent', 'claude'], { cwd: root, env, input: JSON.stringify(claudeToolPayload('PreToolUse', session, root, path.join(root, file))) });
  const out = JSON.parse(p.stdout || '{}') as { hookSpecificOutput?: { permissionDecision?: string; permissionDecisionReason?: string } };
  return { denied: out.hookSpecificOutput?.permissionDecision === 'deny', reason: out.hookSpecificOutput?.permissionDecisionReason ?? '', p };
}

test('lockstep config --store: two clones configured with it contend through plain hook calls; embedded switches back', () => {
  const a = clone('git@example.com:team/cfg.git');
  const b = clone('https://example.com/team/cfg');
  const url = redis.url.replace('redis://', 'redis://:@'); // an empty password is still a valid URL
  for (const r of [a, b]) {
    const set = cli(r.root, ['config', '--store', url, '--json']);
    assert.equal(set.status, 0, set.stderr);
    const body = JSON.parse(set.stdout) as { changed: boolean; store: string; config: { store: string } };
    assert.equal(body.changed, true);
    assert.equal(body.store, `${redis.url} (team example.com/team/cfg)`);
  }
  const shown = cli(a.root, ['config']);
  assert.match(shown.stdout, new RegExp(`store: ${redis.url.replace(/[/.]/g, '\\$&')} \\(team example\\.com/team/cfg\\)`));

  assert.equal(hook(a.root, 'cfg-a').denied, false);
  const second = hook(b.root, 'cfg-b');
  assert.equal(second.denied, true, second.p.stdout);
  assert.match(second.reason, /src\/a\.ts is held by claude session/);
  assert.equal(fs.existsSync(storePaths(locateRepo(b.root).commonDir).slots[0]), false, 'nothing in the embedded table');

  // A team key of its own: b no longer meets a.
  assert.equal(cli(b.root, ['config', '--team-key', 'elsewhere']).status, 0);
  assert.equal(hook(b.root, 'cfg-b').denied, false);
  assert.equal(cli(b.root, ['config', '--team-key', 'auto']).status, 0);
  assert.equal(hook(b.root, 'cfg-b2', 'src/b.ts').denied, false);
  assert.equal(hook(a.root, 'cfg-a2', 'src/b.ts').denied, true, 'auto: back to the origin-derived key');

  // Back to the embedded store: the Redis leases are not seen any more.
  const back = cli(a.root, ['config', '--store', 'embedded', '--json']);
  assert.equal(back.status, 0, back.stderr);
  assert.equal(JSON.parse(back.stdout).store, 'embedded');
  assert.ok(!readConfig(a.root).includes('store'));
  assert.equal(hook(a.root, 'cfg-a3', 'src/b.ts').denied, false);
});

test('bad store URLs and a repository with no team key: one line, exit 1, config.json unchanged', () => {
  const r = clone('git@example.com:team/bad.git');
  assert.equal(cli(r.root, ['config', '--ttl', '300']).status, 0);
  const before = readConfig(r.root);
  for (const [bad, re] of [
    ['http://redis:6379', /--store 'http:\/\/redis:6379': expected a redis:\/\/ or rediss:\/\/ URL, or 'embedded'/],
    ['redis://:hunter2@h:99999', /--store 'redis:\/\/:\*\*\*@h:99999': .*not a valid URL/],
    ['redis://h:6379/cache', /database number/],
    ['', /expected a redis:\/\//],
  ] as const) {
    const p = cli(r.root, ['config', '--store', bad]);
    assert.equal(p.status, 1, bad);
    assert.match(p.stderr, re);
    assert.equal(p.stderr.trim().split('\n').length, 1, p.stderr);
    assert.ok(!p.stderr.includes('hunter2'));
    assert.equal(readConfig(r.root), before, `${bad}: nothing written`);
  }
  const bare = clone();
  const p = cli(bare.root, ['config', '--store', redis.url]);
  assert.equal(p.status, 1);
  assert.match(p.stderr, /no origin remote to name it by; add one, or set a team key \(lockstep config --team-key <name>/);
  assert.equal(readConfig(bare.root), '(none)');
  const named = cli(bare.root, ['config', '--store', redis.url, '--team-key', 'my-team/app']);
  assert.equal(named.status, 0, named.stderr);
  assert.match(named.stdout, /team my-team\/app/);
});

test('a coordinator reports the configured store changing (CLI or setConfig); a new one serves the team store', async () => {
  const r = clone('git@example.com:team/coord.git');
  const first = await startServer({ root: r.root, env });
  try {
    const snap = await first.waitFor('a snapshot', () => true);
    assert.equal(snap.config.store, undefined);
    assert.equal(cli(r.root, ['config', '--store', redis.url]).status, 0);
    const changed = await first.waitFor('storeChanged', (s) => s.config.storeChanged !== undefined);
    assert.equal(changed.config.storeChanged, `${redis.url} (team example.com/team/coord)`);
    // Back to embedded through setConfig (the VS Code setting's path): nothing to restart for any more.
    const res = await first.request('setConfig', { store: 'embedded' });
    assert.equal(res.storeChanged, undefined);
    await first.waitFor('storeChanged gone', (s) => s.config.storeChanged === undefined);
    await assert.rejects(first.request('setConfig', { store: 'redis://h:6379/cache' }), /^Error: lockstep\/setConfig: store: the path of a Redis URL is a database number/);
    assert.ok(!readConfig(r.root).includes('redis'), 'a refused store writes nothing');
    const set = await first.request('setConfig', { store: redis.url });
    assert.equal(set.storeChanged, `${redis.url} (team example.com/team/coord)`);
  } finally {
    await first.stop();
  }
  const second = await startServer({ root: r.root, env });
  try {
    const snap = await second.waitFor('team mode', (s) => s.config.store !== undefined);
    assert.equal(snap.config.store, `${redis.url} (team example.com/team/coord)`);
    assert.equal(snap.config.storeChanged, undefined);
    assert.equal(hook(r.root, 'coord-a', 'src/live.ts').denied, false);
    await second.waitFor('the hook lease, read from Redis', (s) => s.leases.some((l) => l.key === 'src/live.ts'));
  } finally {
    await second.stop();
  }
});
