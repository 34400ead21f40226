// Team mode (#14) against the embedded store, in the same run: a real redis-server on loopback (AOF
// with fsync always, so both stores make every commit durable before answering).
//  1. Hook latency: one `lockstep hook` call (a Claude PreToolUse Edit renewing its own lease; a
//     PostToolUse, whose answer also checks for undelivered notes and messages), embedded and Redis
//     interleaved; medians and the ratio.
//  2. Lease throughput: 8 contending worker processes, 3 keys, grant+release loops (the contention
//     test's worker), embedded then Redis; grants/s, overlaps (must be 0), the ratio.
//  3. Grants/s with 64 contending processes on Redis (and on the embedded store), and how evenly they
//     were served (grants per process): hammering (a denied process tries again after 5–20 ms), and
//     paced as agents are (a denied agent tries again on its next model turn; modelled as 60–250 ms,
//     quicker than any real model answers).
//  4. The decision log: notes/s with 8 processes writing, embedded then Redis (numbered, durable on return).
// Run: node --import tsx test/bench/teamStore.bench.ts [runs=20] [seconds=6] [many=64] [pacedMs=250]
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildSync } from 'esbuild';
import type { JournalEntry } from '../../src/core/model';
import { locateRepo } from '../../src/repoPaths/repoLocator';
import { readWholeJournal } from '../../src/store/journalFile';
import { closeRedisBridges } from '../../src/store/redisBridge';
import { RedisStore } from '../../src/store/redisStore';
import { openLeaseStore } from '../../src/store/openLeaseStore';
import { openMemory } from '../../src/store/openMemory';
import { storePaths } from '../../src/store/storePaths';
import { CLI, ensureBuilt, PROJECT_ROOT } from '../helpers/cli';
import { startRedisServer, type RedisServer } from '../helpers/redisServer';
import { makeTempRepo } from '../helpers/tempRepo';
import { checkContention } from '../integration/fixtures/contentionCheck';

const RUNS = Number(process.argv[2] ?? 20);
const SECONDS = Number(process.argv[3] ?? 6);
const MANY = Number(process.argv[4] ?? 64);
const PACED_MS = Number(process.argv[5] ?? 250);
const KEYS = ['src/a.ts', 'src/b.ts', 'src/c.ts'];
const REDIS_WORKER = path.join(PROJECT_ROOT, 'dist', 'redisWorker.js');
let teams = 0;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** `event`: PreToolUse (an edit renewing its own lease) or PostToolUse (an event whose answer carries undelivered notes and messages: the delivery check too). */
function hookLatency(redis: RedisServer, event: 'PreToolUse' | 'PostToolUse'): { embedded: number; redis: number } {
  const embeddedRepo = makeTempRepo({ prefix: 'lockstep-bench-team-hook-' });
  const teamRepo = makeTempRepo({ prefix: 'lockstep-bench-team-hook-' });
  const teamEnv = { ...process.env, LOCKSTEP_STORE: redis.url, LOCKSTEP_TEAM_KEY: `bench-hook-${process.pid}-${++teams}` };
  const plainEnv = { ...process.env, LOCKSTEP_STORE: '', LOCKSTEP_TEAM_KEY: '' };
  const payload = (root: string) =>
    JSON.stringify({
      session_id: 'bench-session-0001',
      transcript_path: '/home/u/.claude/projects/bench/bench-session-0001.jsonl',
      cwd: root,
      permission_mode: 'default',
      hook_event_name: event,
      tool_name: 'Edit',
      tool_input: { file_path: path.join(root, 'src/a.ts'), old_string: 'a', new_string: 'b' },
      tool_use_id: 'toolu_bench',
      ...(event === 'PostToolUse' ? { tool_response: { filePath: path.join(root, 'src/a.ts'), success: true } } : {}),
    });
  const timed = (root: string, env: NodeJS.ProcessEnv): number => {
    const t = performance.now();
    const r = spawnSync(process.execPath, [CLI, 'hook', '--agent', 'claude'], { cwd: root, input: payload(root), encoding: 'utf8', env });
    const dt = performance.now() - t;
    if (r.status !== 0 || r.stdout.includes('"deny"')) throw new Error(`hook did not allow: ${r.stdout} ${r.stderr}`);
    return dt;
  };
  try {
    timed(embeddedRepo.root, plainEnv); // first grant; then every call renews its own lease
    timed(teamRepo.root, teamEnv);
    const e: number[] = [];
    const r: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      e.push(timed(embeddedRepo.root, plainEnv));
      r.push(timed(teamRepo.root, teamEnv));
    }
    return { embedded: median(e), redis: median(r) };
  } finally {
    embeddedRepo.cleanup();
    teamRepo.cleanup();
  }
}

interface Throughput {
  grantsPerSec: number;
  overlaps: number;
  grants: number;
  /** Grants per process, fewest first: how evenly the store served the contenders. */
  perProcess: number[];
}

/** Grants each worker logged within [from, to] (one log file per worker process), fewest first. */
function grantsPerProcess(logs: string, from: number, to: number): number[] {
  return fs
    .readdirSync(logs)
    .filter((f) => f.startsWith('worker-'))
    .map((f) =>
      fs
        .readFileSync(path.join(logs, f), 'utf8')
        .split('\n')
        .filter((l) => l.includes('"ev":"acquire"'))
        .filter((l) => {
          const acq = (JSON.parse(l) as { acq: number }).acq;
          return acq >= from && acq <= to;
        }).length,
    )
    .sort((a, b) => a - b);
}

function spread(t: Throughput): string {
  const p = t.perProcess;
  return `per process min ${p[0]} median ${median(p)} max ${p[p.length - 1]}, ${p.filter((n) => n === 0).length} of ${p.length} with none`;
}

async function throughput(workerJs: string, count: number, seconds: number, redis?: RedisServer, denialPauseMs = 20): Promise<Throughput> {
  const repo = makeTempRepo({ prefix: 'lockstep-bench-team-tput-' });
  const logs = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-team-logs-'));
  const team = `bench-tput-${process.pid}-${++teams}`;
  const env = redis ? { ...process.env, LOCKSTEP_STORE: redis.url, LOCKSTEP_TEAM_KEY: team, LOCKSTEP_REDIS_WORKER: REDIS_WORKER } : { ...process.env, LOCKSTEP_STORE: '', LOCKSTEP_TEAM_KEY: '' };
  try {
    const commonDir = locateRepo(repo.root).commonDir;
    const children = Array.from({ length: count }, (_, i) => spawn(process.execPath, [workerJs, commonDir, logs, `b${i}`, KEYS.join(','), '0', String(denialPauseMs)], { stdio: ['ignore', 'ignore', 'inherit'], env }));
    // Measured once every worker runs (each opens its log first), so process start-up is not measured.
    const upBy = Date.now() + 120_000;
    while (fs.readdirSync(logs).filter((f) => f.startsWith('worker-')).length < count && Date.now() < upBy) await new Promise((r) => setTimeout(r, 50));
    const from = Date.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const to = Date.now();
    fs.writeFileSync(path.join(logs, 'stop'), '');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    let journal: JournalEntry[];
    if (redis) journal = new RedisStore(commonDir, redis.url, team).readJournal(0).entries;
    else {
      const p = storePaths(commonDir);
      journal = readWholeJournal(p.journal, p.journalRotated).entries;
    }
    const grants = journal.filter((e) => e.op === 'grant' && e.at >= from && e.at <= to);
    const report = checkContention(logs, journal, new Map());
    return { grantsPerSec: grants.length / ((to - from) / 1000), overlaps: report.violations.length, grants: grants.length, perProcess: grantsPerProcess(logs, from, to) };
  } finally {
    repo.cleanup();
    fs.rmSync(logs, { recursive: true, force: true });
  }
}

async function noteThroughput(workerJs: string, count: number, seconds: number, redis?: RedisServer): Promise<{ perSec: number; notes: number }> {
  const repo = makeTempRepo({ prefix: 'lockstep-bench-team-notes-' });
  const logs = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-team-logs-'));
  const storeEnv = redis ? { LOCKSTEP_STORE: redis.url, LOCKSTEP_TEAM_KEY: `bench-notes-${process.pid}-${++teams}` } : { LOCKSTEP_STORE: '', LOCKSTEP_TEAM_KEY: '' };
  try {
    const commonDir = locateRepo(repo.root).commonDir;
    const env = { ...process.env, ...storeEnv, LOCKSTEP_REDIS_WORKER: REDIS_WORKER };
    const children = Array.from({ length: count }, (_, i) => spawn(process.execPath, [workerJs, commonDir, logs, `n${i}`, 'note'], { stdio: ['ignore', 'ignore', 'inherit'], env }));
    await new Promise((r) => setTimeout(r, seconds * 1000 + 1000 + count * 100));
    fs.writeFileSync(path.join(logs, 'stop'), '');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    const notes = openMemory(openLeaseStore(commonDir, {}, { ...process.env, ...storeEnv })).notes();
    // From the first note kept to the last (Redis keeps the newest MEMORY_KEEP), so process start-up is not measured.
    const first = notes[0]!;
    const last = notes[notes.length - 1]!;
    return { perSec: (last.n - first.n) / ((last.at - first.at) / 1000), notes: last.n };
  } finally {
    repo.cleanup();
    fs.rmSync(logs, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  ensureBuilt();
  const redis = await startRedisServer({ aof: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-team-'));
  try {
    const workerJs = path.join(dir, 'leaseWorker.js');
    buildSync({ entryPoints: [path.join(__dirname, '..', 'integration', 'fixtures', 'leaseWorker.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: workerJs, logLevel: 'error' });
    const version = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.match(/v=(\S+)/)?.[1];
    console.log(`teamStore: Redis ${version} on loopback (AOF, fsync always) vs the embedded store; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);
    for (const event of ['PreToolUse', 'PostToolUse'] as const) {
      const lat = hookLatency(redis, event);
      console.log(`  hook latency, ${event.padEnd(11)} (median of ${RUNS}, interleaved)  embedded ${lat.embedded.toFixed(1)} ms   redis ${lat.redis.toFixed(1)} ms   redis/embedded ${(lat.redis / lat.embedded).toFixed(2)}x`);
    }
    const e8 = await throughput(workerJs, 8, SECONDS);
    const r8 = await throughput(workerJs, 8, SECONDS, redis);
    console.log(`  8 processes, 3 keys, ${SECONDS} s          embedded ${e8.grantsPerSec.toFixed(0)} grants/s (${e8.grants}, ${e8.overlaps} overlaps)   redis ${r8.grantsPerSec.toFixed(0)} grants/s (${r8.grants}, ${r8.overlaps} overlaps)   redis/embedded ${(r8.grantsPerSec / e8.grantsPerSec).toFixed(2)}x`);
    const eMany = await throughput(workerJs, MANY, SECONDS);
    const rMany = await throughput(workerJs, MANY, SECONDS, redis);
    console.log(`  ${MANY} processes on redis, 3 keys, ${SECONDS} s  ${rMany.grantsPerSec.toFixed(0)} grants/s (${rMany.grants} grants, ${rMany.overlaps} overlaps)  ${(rMany.grantsPerSec / r8.grantsPerSec).toFixed(2)}x the 8-process rate; embedded ${eMany.grantsPerSec.toFixed(0)} grants/s, redis/embedded ${(rMany.grantsPerSec / eMany.grantsPerSec).toFixed(2)}x`);
    console.log(`  fairness: 8 on redis ${spread(r8)};  ${MANY} on redis ${spread(rMany)};  ${MANY} embedded ${spread(eMany)}`);
    const ePaced = await throughput(workerJs, MANY, SECONDS, undefined, PACED_MS);
    const rPaced = await throughput(workerJs, MANY, SECONDS, redis, PACED_MS);
    console.log(`  ${MANY} processes paced as agents (a denied one tries again after ${PACED_MS / 4}–${PACED_MS} ms), ${SECONDS} s  redis ${rPaced.grantsPerSec.toFixed(0)} grants/s (${rPaced.grants}, ${rPaced.overlaps} overlaps)  embedded ${ePaced.grantsPerSec.toFixed(0)} grants/s  redis/embedded ${(rPaced.grantsPerSec / ePaced.grantsPerSec).toFixed(2)}x`);
    console.log(`  fairness, paced: ${MANY} on redis ${spread(rPaced)};  ${MANY} embedded ${spread(ePaced)}`);
    const notesJs = path.join(dir, 'memoryWorker.js');
    buildSync({ entryPoints: [path.join(__dirname, '..', 'integration', 'fixtures', 'memoryWorker.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: notesJs, logLevel: 'error' });
    const en = await noteThroughput(notesJs, 8, SECONDS);
    const rn = await noteThroughput(notesJs, 8, SECONDS, redis);
    console.log(`  decision log, 8 writers, ${SECONDS} s       embedded ${en.perSec.toFixed(0)} notes/s (${en.notes})   redis ${rn.perSec.toFixed(0)} notes/s (${rn.notes})   redis/embedded ${(rn.perSec / en.perSec).toFixed(2)}x`);
    console.log(`overlaps: ${e8.overlaps + r8.overlaps + eMany.overlaps + rMany.overlaps + ePaced.overlaps + rPaced.overlaps === 0 ? '0 (mutual exclusion held in every run)' : 'FOUND'}`);
  } finally {
    await closeRedisBridges();
    await redis.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
