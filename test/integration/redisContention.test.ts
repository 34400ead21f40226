// The store contract under real contention on the team store (#14): a real redis-server (AOF, fsync
// always), worker processes hammering claim/release on three keys through it (the same worker and
// the same three-way check as the embedded store's contention test: resource files, worker logs,
// journal). Random kill -9 of holders; redis-server itself killed and restarted in the middle of a
// hammer run; a holder paused past its TTL; the server stopped, then started again, under hooks.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { after, before, test } from 'node:test';
import { buildSync } from 'esbuild';
import { locateRepo } from '../../src/repoPaths/repoLocator';
import { closeRedisBridges } from '../../src/store/redisBridge';
import { RedisStore } from '../../src/store/redisStore';
import { claudeToolPayload } from '../fixtures/hookPayloads';
import { ensureBuilt, PROJECT_ROOT, runCli } from '../helpers/cli';
import { startRedisServer, type RedisServer } from '../helpers/redisServer';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { startWorker } from '../helpers/workerProcess';
import { checkContention } from './fixtures/contentionCheck';

const KEYS = ['src/a.ts', 'src/b.ts', 'src/c.ts'];
let redis: RedisServer;
let workDir: string;
let workerJs: string;
const repos: TempRepo[] = [];
let teams = 0;

before(async () => {
  ensureBuilt();
  redis = await startRedisServer({ aof: true });
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-redis-contention-'));
  // One bundled file (16 processes compiling TypeScript would take seconds); the Redis client comes from dist.
  workerJs = path.join(workDir, 'leaseWorker.js');
  buildSync({ entryPoints: [path.join(__dirname, 'fixtures', 'leaseWorker.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: workerJs, logLevel: 'error' });
});
after(async () => {
  await closeRedisBridges();
  await redis.cleanup();
  for (const r of repos) r.cleanup();
  fs.rmSync(workDir, { recursive: true, force: true });
});

function team(): { repo: TempRepo; commonDir: string; env: NodeJS.ProcessEnv; store: RedisStore } {
  const repo = makeTempRepo();
  repos.push(repo);
  const key = `contention-${++teams}-${process.pid}`;
  const commonDir = locateRepo(repo.root).commonDir;
  const env = { LOCKSTEP_STORE: redis.url, LOCKSTEP_TEAM_KEY: key, LOCKSTEP_REDIS_WORKER: path.join(PROJECT_ROOT, 'dist', 'redisWorker.js') };
  return { repo, commonDir, env, store: new RedisStore(commonDir, redis.url, key) };
}

interface Run {
  logsDir: string;
  live: Set<ChildProcess>;
  startedAt: Map<ChildProcess, number>;
  killTimes: Map<number, number>;
  start: () => void;
  completedHolds: () => number;
  stop: () => Promise<void>;
}

function hammer(name: string, commonDir: string, env: NodeJS.ProcessEnv, workers: number): Run {
  const logsDir = path.join(workDir, name);
  fs.mkdirSync(logsDir);
  const live = new Set<ChildProcess>();
  const startedAt = new Map<ChildProcess, number>();
  let seq = 0;
  const start = () => startedAt.set(startWorker(workerJs, [commonDir, logsDir, `w${seq++}`, KEYS.join(','), '3'], live, env), Date.now());
  for (let i = 0; i < workers; i++) start();
  const run: Run = {
    logsDir,
    live,
    startedAt,
    killTimes: new Map(),
    start,
    completedHolds: () =>
      fs.readdirSync(logsDir).filter((f) => f.startsWith('worker-')).reduce((n, f) => n + (fs.readFileSync(path.join(logsDir, f), 'utf8').match(/"ev":"release"/g)?.length ?? 0), 0),
    stop: async () => {
      fs.writeFileSync(path.join(logsDir, 'stop'), '');
      const deadline = Date.now() + 40_000;
      while (live.size > 0 && Date.now() < deadline) await sleep(100);
      for (const c of live) c.kill('SIGKILL');
      assert.equal(live.size, 0, 'every worker stopped by itself (none stuck)');
    },
  };
  return run;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every hold a worker logged is a grant in the journal: no commit was lost. */
function lostGrants(logsDir: string, grants: ReadonlySet<string>): string[] {
  const lost: string[] = [];
  for (const f of fs.readdirSync(logsDir).filter((x) => x.startsWith('worker-'))) {
    for (const l of fs.readFileSync(path.join(logsDir, f), 'utf8').split('\n').filter(Boolean)) {
      const ev = JSON.parse(l) as { ev: string; key: string; fence: number };
      if (ev.ev === 'acquire' && !grants.has(`${ev.key}#${ev.fence}`)) lost.push(`${ev.key}#${ev.fence}`);
    }
  }
  return lost;
}

test('12 processes, 3 keys, random kill -9 on Redis: mutual exclusion holds, dead holders are freed', { timeout: 240_000 }, async () => {
  const { commonDir, env, store } = team();
  const run = hammer('kill9', commonDir, env, 12);
  try {
    // Bounded by time, not by counts: on a loaded machine a worker takes seconds to start.
    const end = Date.now() + 30_000;
    await sleep(2000);
    let kills = 0;
    while (Date.now() < end && (kills < 10 || run.completedHolds() < 100)) {
      await sleep(400 + Math.random() * 600);
      const victims = [...run.live].filter((c) => Date.now() - run.startedAt.get(c)! > 2500);
      const victim = victims[Math.floor(Math.random() * victims.length)];
      if (!victim?.pid) continue;
      run.killTimes.set(victim.pid, Date.now());
      victim.kill('SIGKILL');
      kills++;
      run.start();
    }
    await run.stop();
    const journal = store.readJournal(0);
    const report = checkContention(run.logsDir, journal.entries, run.killTimes);
    process.stdout.write(`# redis contention: ${kills} kills, ${report.grants} grants, ${report.completedHolds} completed holds (${JSON.stringify(report.perKey)}), ${report.killedInside} killed inside\n`);
    assert.deepEqual(report.violations, []);
    assert.ok(kills >= 5, `only ${kills} kills`);
    assert.ok(report.completedHolds >= 15, `only ${report.completedHolds} holds completed`);
    assert.equal(journal.skipped ?? 0, 0);
    assert.deepEqual(lostGrants(run.logsDir, new Set(journal.entries.filter((e) => e.op === 'grant').map((e) => `${e.key}#${e.fence}`))), []);
    // Killed holders' processes are dead on this machine: the next transaction frees their leases.
    assert.deepEqual(store.transact((t) => Object.keys(t.state.leases)), []);
    assert.ok(store.readJournal(journal.nextOffset).entries.every((e) => e.op !== 'expire' || /died|exited|dead|not running/.test(e.reason ?? '')));
  } finally {
    for (const c of run.live) c.kill('SIGKILL');
  }
});

test('redis-server killed and restarted twice in the middle of a hammer run: exclusion kept, fences never go back, nothing lost', { timeout: 240_000 }, async () => {
  const { commonDir, env, store } = team();
  const run = hammer('restart', commonDir, env, 8);
  try {
    const fence = () => Number(execFileSync('redis-cli', ['-p', String(redis.port), 'GET', store.keys.fence], { encoding: 'utf8' }).trim() || '0');
    // Restart only once every worker is under way (a loaded machine takes seconds to start them).
    const startBy = Date.now() + 30_000;
    while (Date.now() < startBy && run.completedHolds() < 16) await sleep(200);
    const fenceBefore = fence();
    for (let i = 0; i < 2; i++) {
      await redis.restart(); // SIGKILL mid-run; AOF with fsync always keeps every acknowledged commit
      const holds = run.completedHolds();
      const by = Date.now() + 15_000;
      while (Date.now() < by && run.completedHolds() < holds + 15) await sleep(200);
    }
    await run.stop();
    const journal = store.readJournal(0);
    const report = checkContention(run.logsDir, journal.entries, new Map());
    const outages = fs
      .readdirSync(run.logsDir)
      .filter((f) => f.startsWith('worker-'))
      .reduce((n, f) => n + Number(/"outages":(\d+)/.exec(fs.readFileSync(path.join(run.logsDir, f), 'utf8'))?.[1] ?? 0), 0);
    process.stdout.write(`# redis restarts: fence ${fenceBefore} before, ${report.grants} grants, ${report.completedHolds} completed holds, ${outages} worker calls waited out an outage\n`);
    assert.ok(fenceBefore > 0, 'the run was under way before the first restart');
    assert.deepEqual(report.violations, []); // includes: per key, fences only go up, across the restarts
    assert.ok(outages >= 1, 'the restarts happened under the workers');
    assert.ok(report.completedHolds >= 30, `only ${report.completedHolds} holds completed`);
    assert.deepEqual(lostGrants(run.logsDir, new Set(journal.entries.filter((e) => e.op === 'grant').map((e) => `${e.key}#${e.fence}`))), []);
    assert.ok(fence() >= Math.max(...journal.entries.map((e) => e.fence ?? 0)), 'the counter is at or above every fence granted');
    const fences = journal.entries.filter((e) => e.op === 'grant').map((e) => e.fence!);
    assert.deepEqual(fences, [...fences].sort((a, b) => a - b), 'grants journaled in fence order');
    assert.equal(new Set(fences).size, fences.length, 'no fence granted twice');
    assert.deepEqual(store.transact((t) => Object.keys(t.state.leases)), [], 'every worker released and ended');
  } finally {
    for (const c of run.live) c.kill('SIGKILL');
  }
});

test('a holder paused (SIGSTOP) keeps its lease until the TTL by the server clock; then another session gets it, the old token is refused', { timeout: 60_000 }, async () => {
  const { repo, commonDir, env } = team();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'pausedHolder.ts'), commonDir, 'src/a.ts', '2500'], { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  try {
    const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const next = async () => JSON.parse((await lines.next()).value as string);
    const first = await next();
    const grantedAt = Date.now();
    child.kill('SIGSTOP');
    const claim = () => runCli(['claim', 'src/a.ts', '--session', 'codex:other', '--json'], { cwd: repo.root, env });
    if (Date.now() - grantedAt < 2000) assert.equal(claim().status, 3, 'a stopped holder is alive: its lease holds');
    await sleep(Math.max(0, grantedAt + 2800 - Date.now()));
    const taken = claim();
    assert.equal(taken.status, 0, taken.stderr);
    assert.ok(JSON.parse(taken.stdout).leases[0].fence > first.fence);
    child.kill('SIGCONT');
    child.stdin!.write('renew\n');
    const renew = await next();
    assert.equal(renew.renew.ok, false);
    assert.match(renew.renew.reason, /not held with this owner token/);
  } finally {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
});

test('redis-server stopped: hooks deny with the reason meanwhile; started again: leases are all there and hooks allow', async () => {
  const { repo, env } = team();
  const hook = (session: string, file: string) => {
    const p = runCli(['hook', '--agent', 'claude'], { cwd: repo.root, env, input: JSON.stringify(claudeToolPayload('PreToolUse', session, repo.root, path.join(repo.root, file))) });
    const out = JSON.parse(p.stdout || '{}') as { hookSpecificOutput?: { permissionDecision?: string; permissionDecisionReason?: string } };
    return { decision: out.hookSpecificOutput?.permissionDecision ?? 'allow', reason: out.hookSpecificOutput?.permissionDecisionReason ?? '' };
  };
  assert.equal(hook('cut-a', 'src/a.ts').decision, 'allow');
  await redis.stop();
  try {
    const during = hook('cut-b', 'src/b.ts');
    assert.equal(during.decision, 'deny');
    assert.match(during.reason, new RegExp(`team store ${redis.url.replace(/[/.]/g, '\\$&')} unreachable`));
    assert.ok(!during.reason.includes('\n'));
  } finally {
    await redis.start();
  }
  assert.equal(hook('cut-b', 'src/b.ts').decision, 'allow');
  const held = hook('cut-c', 'src/a.ts');
  assert.equal(held.decision, 'deny', 'the lease taken before the outage is still held');
  assert.match(held.reason, /src\/a\.ts is held by claude session/);
});
