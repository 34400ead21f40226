// Team mode in VS Code: the lockstep.store setting moves this repository's lease table to a real
// redis-server (written to the store's config, so the CLI and agents' hooks use it too, and the
// coordinator restarts on it); a lease taken from the CLI then shows in the explorer and the status
// bar. When Redis goes away the status bar says the store is disconnected and that agents' edits are
// denied; when it is back, so are the locks. Setting it back to embedded returns to the store folder.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'mocha';
import type { LockstepTestApi } from '../../../../src/extension/testApi';
import { startRedisServer, type RedisServer } from '../../../helpers/redisServer';
import { activate, claim, fileUri, lockstep, release, setSetting, waitFor, workspaceRoot } from '../../support/lockstep';

describe('team mode on Redis', () => {
  let api: LockstepTestApi;
  let redis: RedisServer;
  const file = fileUri('src/team.ts');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: workspaceRoot(), encoding: 'utf8' }).trim();
  const storeNamed = () => (JSON.parse(lockstep('config', '--json')) as { store: string }).store;

  before(async () => {
    api = await activate();
    await waitFor('the coordinator to run', async () => api.serverState(), (s) => s === 'running', 60_000);
    // The team key comes from the origin remote, as in a team's clones. AOF: the leases survive a restart.
    git('remote', 'add', 'origin', 'https://example.invalid/team/exthost.git');
    redis = await startRedisServer({ aof: true });
  });
  after(async () => {
    await setSetting('store', 'embedded');
    await waitFor('the store folder again', async () => storeNamed(), (s) => !/redis/.test(s), 30_000).catch(() => undefined);
    await setSetting('store', undefined);
    await waitFor('the coordinator to run on the store folder', async () => api.statusBar().tooltip, (t) => !/Team store/.test(t) && api.serverState() === 'running', 60_000).catch(() => undefined);
    git('remote', 'remove', 'origin');
    await redis?.cleanup();
  });

  it('lockstep.store set to a redis:// URL: the CLI, the coordinator and the status bar all use Redis', async () => {
    await setSetting('store', redis.url);
    await waitFor('the CLI to name the team store', async () => storeNamed(), (s) => s.includes(`127.0.0.1:${redis.port}`), 30_000);
    await waitFor('the status bar to name the team store', async () => api.statusBar().tooltip, (t) => t.includes(`Team store redis://127.0.0.1:${redis.port}`), 60_000);
    claim('codex:remote', 'src/team.ts');
    await waitFor('the held badge on src/team.ts', async () => api.fileDecoration(file), (d) => d?.badge === 'L', 30_000);
    await waitFor('one lock in the status bar', async () => api.statusBar().text, (t) => /\b1 lock\b/.test(t));
    // The lease is in Redis itself, under this repository's team key, not in the store folder.
    const keys = execFileSync('redis-cli', ['-p', String(redis.port), '--scan'], { encoding: 'utf8' });
    assert.match(keys, /exthost/, `Redis holds no key of the team: ${keys}`);
  });

  it('says the store is disconnected while Redis is down, and shows the locks again when it is back', async () => {
    await redis.stop();
    const down = await waitFor('the status bar to say the store is disconnected', async () => api.statusBar(), (s) => /store disconnected/.test(s.text), 60_000);
    assert.match(down.tooltip, /Agents' edits are denied until it answers again/);
    await redis.start();
    await waitFor('the lock back in the status bar', async () => api.statusBar().text, (t) => /\b1 lock\b/.test(t), 60_000);
    await waitFor('the held badge back', async () => api.fileDecoration(file), (d) => d?.badge === 'L', 30_000);
    release('codex:remote');
    await waitFor('no lock', async () => api.statusBar().text, (t) => /\b0 locks\b/.test(t), 30_000);
  });
});
