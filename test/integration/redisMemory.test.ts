// Team mode (#14): the decision log and mailboxes on the team store's Redis (a real redis-server,
// AOF with fsync always). The memory contract as on the embedded store; two clones of one repository
// (two machines: two folders, ssh and https forms of one origin) reading each other's notes and
// messages through the CLI and real hook processes, exactly once; a full mailbox refused across
// them; real processes on both clones writing concurrently, killed with SIGKILL, nothing lost or
// duplicated; concurrent senders to a slowly read mailbox and concurrent deliverers of one session:
// never more in the mailbox than it holds, each message delivered once and in order.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { locateRepo } from '../../src/repoPaths/repoLocator';
import { closeRedisBridges } from '../../src/store/redisBridge';
import { RedisMemory } from '../../src/store/redisMemory';
import { RedisStore } from '../../src/store/redisStore';
import { openLeaseStore } from '../../src/store/openLeaseStore';
import { openMemory } from '../../src/store/openMemory';
import { storePaths } from '../../src/store/storePaths';
import { claudeToolPayload } from '../fixtures/hookPayloads';
import { ensureBuilt, PROJECT_ROOT, runCli } from '../helpers/cli';
import { startRedisServer, type RedisServer } from '../helpers/redisServer';
import { teamRepos } from '../helpers/teamRepos';
import { memoryContract } from './fixtures/memoryContract';
import { bundledWorker, logLines, startWorker, until } from './fixtures/memoryProcesses';

let redis: RedisServer;
let work: string;
let workerJs: string;
const { clone, cleanup: removeRepos } = teamRepos();
let teams = 0;

before(async () => {
  ensureBuilt();
  redis = await startRedisServer({ aof: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-redis-memory-'));
  workerJs = bundledWorker(work);
});
after(async () => {
  await closeRedisBridges();
  await redis.cleanup();
  removeRepos();
  fs.rmSync(work, { recursive: true, force: true });
});

memoryContract('redis', () => {
  const repo = clone();
  const team = `memory-${++teams}-${process.pid}`;
  const commonDir = locateRepo(repo.root).commonDir;
  const wakeDir = storePaths(commonDir).memory.wake;
  return {
    memory: (live, opts = {}) => new RedisMemory(redis.url, team, { liveSessions: () => live, wakeDir, ...opts }),
    reopen: () => openMemory(new RedisStore(commonDir, redis.url, team)),
    cleanup: () => undefined,
  };
});

const teamEnv = () => ({ LOCKSTEP_STORE: redis.url, LOCKSTEP_TEAM_KEY: '' });
/** No decision log or mailbox file was written in the clone: everything went to Redis. */
function nothingLocal(root: string): void {
  const m = storePaths(locateRepo(root).commonDir).memory;
  for (const f of [m.notes, m.messages, m.cursors]) assert.equal(fs.existsSync(f), false, `${f} was written`);
}

test('two clones on one Redis: a note written in one is read in the other; a message sent from one reaches a session of the other once, through its hooks', () => {
  const a = clone('git@example.com:team/memory.git');
  const b = clone('https://example.com/team/memory');
  const env = teamEnv();
  const cli = (root: string, args: string[]) => runCli(args, { cwd: root, env });
  const hook = (root: string, event: 'PreToolUse' | 'PostToolUse', session: string) => {
    const p = runCli(['hook', '--agent', 'claude'], { cwd: root, env, input: JSON.stringify(claudeToolPayload(event, session, root, path.join(root, 'src/b.ts'))) });
    assert.equal(p.status, 0, p.stderr);
    return (JSON.parse(p.stdout || '{}') as { hookSpecificOutput?: { additionalContext?: string } }).hookSpecificOutput?.additionalContext ?? '';
  };

  const noted = cli(a.root, ['note', 'Dates are ISO 8601 everywhere', '--session', 'human:ann', '--json']);
  assert.equal(noted.status, 0, noted.stderr);
  assert.equal(JSON.parse(noted.stdout).note.n, 1);
  assert.equal(JSON.parse(cli(b.root, ['note', 'The API speaks JSON only', '--session', 'human:bob', '--json']).stdout).note.n, 2, 'one numbering for both clones');
  const log = cli(b.root, ['log', '--json']);
  assert.equal(log.status, 0, log.stderr);
  assert.deepEqual(
    (JSON.parse(log.stdout).notes as Array<{ n: number; by: string; text: string }>).map((n) => `#${n.n} ${n.by}: ${n.text}`),
    ['#1 human:ann: Dates are ISO 8601 everywhere', '#2 human:bob: The API speaks JSON only'],
  );

  // A session of clone B edits (it is alive in the team's lease table), then gets A's message with its next hook event, once.
  hook(b.root, 'PreToolUse', 'sess-b');
  const sent = cli(a.root, ['send', 'claude:sess-b', 'Please keep src/b.ts backwards compatible', '--session', 'human:ann']);
  assert.equal(sent.status, 0, sent.stderr);
  assert.match(sent.stdout, /^sent #1 to claude:sess-b;/);
  const first = hook(b.root, 'PostToolUse', 'sess-b');
  assert.match(first, /message from human:ann: Please keep src\/b\.ts backwards compatible/);
  assert.match(first, /#1 human:ann: Dates are ISO 8601 everywhere/, 'with the notes it has not seen');
  assert.equal(hook(b.root, 'PostToolUse', 'sess-b'), '', 'nothing twice');
  assert.equal(JSON.parse(cli(a.root, ['inbox', '--session', 'claude:sess-b', '--peek', '--json']).stdout).messages.length, 0, 'read, as seen from clone A');

  // A message to everyone reaches the live session of the other clone.
  const all = cli(a.root, ['send', 'all', 'Freeze at five', '--session', 'human:ann', '--json']);
  assert.equal(all.status, 0, all.stderr);
  assert.deepEqual(JSON.parse(all.stdout).recipients, ['claude:sess-b']);
  assert.match(hook(b.root, 'PostToolUse', 'sess-b'), /message from human:ann to all: Freeze at five/);
  for (const r of [a, b]) nothingLocal(r.root);
});

test('a full mailbox refuses senders on every clone (exit 3, one line) and keeps what it holds', () => {
  const a = clone('git@example.com:team/full.git');
  const b = clone('ssh://git@example.com/team/full.git');
  const env = teamEnv();
  for (const r of [a, b]) assert.equal(runCli(['config', '--mailbox-size', '2'], { cwd: r.root, env }).status, 0);
  const send = (root: string, text: string) => runCli(['send', 'codex:busy', text, '--session', 'human:ann'], { cwd: root, env });
  assert.equal(send(a.root, 'one').status, 0);
  assert.equal(send(b.root, 'two').status, 0);
  const refused = send(a.root, 'three');
  assert.equal(refused.status, 3, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /codex:busy's mailbox is full \(2 undelivered messages\)/);
  assert.equal(refused.stderr.trim().split('\n').length, 1);
  assert.equal(send(b.root, 'three').status, 3, 'the other clone sees the same mailbox');
  // Read by the session itself (its own inbox: marked read).
  const inbox = runCli(['inbox', '--json'], { cwd: b.root, env: { ...env, LOCKSTEP_SESSION: 'codex:busy' } });
  assert.deepEqual((JSON.parse(inbox.stdout).messages as Array<{ text: string }>).map((m) => m.text), ['one', 'two']);
  assert.equal(send(a.root, 'three').status, 0, 'room again once read');
});

test('an idle session whose waiter runs on another machine: a sender is told its message wakes it, until the waiter stops or its announcement runs out', () => {
  const a = clone('git@example.com:team/wake.git');
  const b = clone('https://example.com/team/wake');
  const env = teamEnv();
  // Clone A's waiter for claude:idle (hookWake.ts announces itself like this while it waits).
  const memoryA = openMemory(openLeaseStore(locateRepo(a.root).commonDir, {}, env));
  const send = (text: string) => runCli(['send', 'claude:idle', text, '--session', 'human:ann'], { cwd: b.root, env });
  memoryA.announceWaiter!('claude:idle', 'host-a:4242', 60_000);
  const woken = send('the build is green');
  assert.equal(woken.status, 0, woken.stderr);
  assert.match(woken.stdout, /woken now with it \(idle, its agent can be woken\): claude:idle/);
  memoryA.withdrawWaiter!('claude:idle', 'host-b:1'); // not its waiter: changes nothing
  assert.match(send('two').stdout, /woken now with it/);
  memoryA.withdrawWaiter!('claude:idle', 'host-a:4242');
  assert.match(send('three').stdout, /delivered with the agent's next tool call or prompt/);
  memoryA.announceWaiter!('claude:idle', 'host-a:4243', 200);
  const until = Date.now() + 400;
  while (Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  assert.match(send('four').stdout, /delivered with the agent's next tool call or prompt/, 'a waiter that stopped renewing (killed) promises nothing');
});

/** The environment of worker processes on a clone: the team store, the built Redis client. */
const workerEnv = () => ({ ...teamEnv(), LOCKSTEP_REDIS_WORKER: path.join(PROJECT_ROOT, 'dist', 'redisWorker.js') });

test('8 processes on two clones writing notes, killed at random with SIGKILL: no acknowledged note lost, none duplicated, numbers strictly increasing', { timeout: 180_000 }, async () => {
  const clones = [clone('git@example.com:team/notes.git'), clone('https://example.com/team/notes.git')].map((r) => locateRepo(r.root).commonDir);
  const dir = fs.mkdtempSync(path.join(work, 'notes-'));
  const live = new Set<ChildProcess>();
  const started = new Map<ChildProcess, number>();
  try {
    let seq = 0;
    const start = () => {
      const i = seq++;
      started.set(startWorker(workerJs, [clones[i % 2]!, dir, `w${i}`, 'note'], live, workerEnv()), Date.now());
    };
    for (let i = 0; i < 8; i++) start();
    let kills = 0;
    // Until enough kills and notes happened (a loaded machine takes longer; the bound only stops a stuck run).
    const end = Date.now() + 60_000;
    while (Date.now() < end && (kills < 8 || logLines(dir, 'note-').length < 300)) {
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 250));
      const victims = [...live].filter((c) => Date.now() - started.get(c)! > 800);
      const victim = victims[Math.floor(Math.random() * victims.length)];
      if (!victim) continue;
      victim.kill('SIGKILL');
      kills++;
      start();
    }
    fs.writeFileSync(path.join(dir, 'stop'), '');
    await until(() => live.size === 0, 30_000);
    assert.equal(live.size, 0, 'every worker stopped');
    const acked = logLines(dir, 'note-');
    const notes = openMemory(openLeaseStore(clones[1]!, {}, teamEnv())).notes();
    const numbers = notes.map((n) => n.n);
    assert.deepEqual(numbers, numbers.map((_, i) => i + 1), 'numbered 1, 2, 3… without gaps or repeats');
    assert.equal(new Set(notes.map((n) => n.text)).size, notes.length, 'no note duplicated');
    const byText = new Map(notes.map((n) => [n.text, n.n]));
    for (const a of acked) assert.equal(byText.get(a.text as string), a.n, `acknowledged note ${a.text} is in the log under its number`);
    assert.ok(kills >= 4 && acked.length >= 50, `enough happened to mean something: ${kills} kills, ${acked.length} acknowledged notes`);
    process.stdout.write(`# redis notes: ${kills} kills, ${acked.length} acknowledged, ${notes.length} in the log\n`);
  } finally {
    for (const c of live) c.kill('SIGKILL');
  }
});

test('4 senders and 4 concurrent deliverers of one session on two clones, a sender killed: each message delivered exactly once, in order, the mailbox never overfilled', { timeout: 180_000 }, async () => {
  const a = clone('git@example.com:team/deliver.git');
  const b = clone('https://example.com/team/deliver.git');
  const clones = [a, b].map((r) => locateRepo(r.root).commonDir);
  assert.equal(runCli(['config', '--mailbox-size', '5'], { cwd: a.root, env: teamEnv() }).status, 0);
  assert.equal(runCli(['config', '--mailbox-size', '5'], { cwd: b.root, env: teamEnv() }).status, 0);
  const dir = fs.mkdtempSync(path.join(work, 'deliver-'));
  const live = new Set<ChildProcess>();
  try {
    const PER_SENDER = 40;
    const senders = [0, 1, 2, 3].map((i) => startWorker(workerJs, [clones[i % 2]!, dir, `s${i}`, 'send', String(PER_SENDER), 'claude:target'], live, workerEnv()));
    // Slow readers: the mailbox stays full, and the senders race for each place freed in it.
    for (let i = 0; i < 4; i++) startWorker(workerJs, [clones[i % 2]!, dir, `d${i}`, 'deliver', 'Infinity', 'claude:target'], live, { ...workerEnv(), LOCKSTEP_TEST_DELIVER_PAUSE_MS: '40' });
    const sentLines = () => logLines(dir, 'send-').filter((l) => l.n !== undefined);
    await until(() => sentLines().length >= 20, 60_000);
    senders[0]!.kill('SIGKILL');
    const delivered = () => logLines(dir, 'deliver-').flatMap((l) => l.messages as number[]);
    // The three senders left finish; the killed one's acknowledged messages are delivered too.
    await until(() => live.size === 4 && delivered().length >= sentLines().length, 120_000);
    fs.writeFileSync(path.join(dir, 'stop'), '');
    await until(() => live.size === 0, 30_000);
    assert.equal(live.size, 0, 'every worker stopped');
    const sent = sentLines().map((s) => s.n as number);
    const stored = openMemory(openLeaseStore(clones[0]!, {}, teamEnv())).inbox({ id: 'claude:target' });
    assert.deepEqual(stored, [], 'nothing left undelivered');
    const batches = logLines(dir, 'deliver-').map((l) => l.messages as number[]).filter((m) => m.length > 0);
    const all = batches.flat();
    assert.equal(new Set(all).size, all.length, 'no message delivered twice');
    // A delivery takes every undelivered message (5 fit in one answer): more than 5 would mean concurrent sends overfilled the mailbox.
    assert.ok(batches.every((m) => m.length <= 5), `never more than the mailbox holds (${Math.max(...batches.map((m) => m.length))})`);
    for (const n of sent) assert.ok(all.includes(n), `acknowledged message #${n} was delivered`);
    // In order: a session's deliveries are consecutive slices of the numbering, each one after the one before.
    batches.sort((x, y) => x[0]! - y[0]!);
    const flat = batches.flat();
    for (let i = 1; i < flat.length; i++) assert.ok(flat[i]! > flat[i - 1]!, `in order (…${flat.slice(Math.max(0, i - 3), i + 2).join(', ')}…)`);
    assert.ok(sent.length >= 3 * PER_SENDER, `${sent.length} messages acknowledged`);
    process.stdout.write(`# redis delivery: ${sent.length} acknowledged messages, ${all.length} delivered in ${batches.length} deliveries by 4 processes on 2 clones\n`);
  } finally {
    for (const c of live) c.kill('SIGKILL');
  }
});
