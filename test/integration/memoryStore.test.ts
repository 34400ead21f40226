// The shared memory (decision log, mailboxes, delivery cursors) on a real repository's store:
// numbering, exactly-once in-order delivery, full mailboxes, oversized items, and real processes
// writing and delivering concurrently, some of them killed with SIGKILL.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildSync } from 'esbuild';
import { locateRepo } from '../../src/repoPaths/repoLocator';
import { openEmbeddedStore, type EmbeddedStore } from '../../src/store/embeddedStore';
import { EmbeddedMemory } from '../../src/store/embeddedMemory';
import { MailboxFullError, type SessionRef } from '../../src/store/memoryStore';
import { openMemory } from '../../src/store/openMemory';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

function fresh(): { repo: TempRepo; store: EmbeddedStore; commonDir: string } {
  const repo = makeTempRepo();
  const commonDir = locateRepo(repo.root).commonDir;
  return { repo, store: openEmbeddedStore(commonDir), commonDir };
}

function memoryWith(store: EmbeddedStore, live: SessionRef[], opts: { mailboxSize?: number; deliveryBytes?: number } = {}): EmbeddedMemory {
  return new EmbeddedMemory(store.paths.memory, { liveSessions: () => live, ...opts });
}

test('notes are numbered 1, 2, 3…, durable on return, and read back by number and task', () => {
  const { repo, store } = fresh();
  try {
    const memory = openMemory(store);
    const a = memory.note({ by: 'human:ann', text: 'Use zod at every boundary' });
    const b = memory.note({ by: 'claude:s1', task: 'api', text: 'The API returns ISO dates' });
    const c = memory.note({ by: 'claude:s2', task: 'ui', text: 'Dates render in the user locale' });
    assert.deepEqual([a.n, b.n, c.n], [1, 2, 3]);
    assert.deepEqual(memory.notes({ since: 1 }).map((n) => n.n), [2, 3]);
    assert.deepEqual(memory.notes({ task: 'api' }).map((n) => n.text), ['The API returns ISO dates']);
    // A new store object (another process) continues the numbering from the file.
    assert.equal(openMemory(openEmbeddedStore(locateRepo(repo.root).commonDir)).note({ by: 'human:ann', text: 'four' }).n, 4);
    assert.throws(() => memory.note({ by: 'human:ann', text: '   ' }), /the note is empty/);
    assert.throws(() => memory.note({ by: 'human:ann', text: 'x'.repeat(4001) }), /4001 bytes; at most 4000/);
    assert.equal(memory.notes().length, 4, 'refused notes wrote nothing');
  } finally {
    repo.cleanup();
  }
});

test('a session gets each message and note once, oldest first, capped per event; the rest waits', () => {
  const { repo, store } = fresh();
  try {
    const live = [{ id: 'claude:s1', task: 'api' }, { id: 'codex:s2', task: 'ui' }];
    const memory = memoryWith(store, live, { deliveryBytes: 500 });
    assert.equal(memory.deliver({ id: 'claude:s1', task: 'api' }, { start: true }), undefined, 'nothing to deliver at its start');
    assert.equal(memory.deliver({ id: 'codex:s2', task: 'ui' }, { start: true }), undefined);
    memory.note({ by: 'codex:s2', task: 'ui', text: 'ui decision' });
    memory.note({ by: 'claude:s1', task: 'api', text: 'my own note is not delivered to me' });
    for (let i = 1; i <= 6; i++) memory.send({ from: 'codex:s2', to: { kind: 'session', id: 'claude:s1' }, text: `m${i} ${'x'.repeat(100)}` });
    const seen: string[] = [];
    const deliveries: number[] = [];
    for (let d = memory.deliver({ id: 'claude:s1', task: 'api' }); d; d = memory.deliver({ id: 'claude:s1', task: 'api' })) {
      deliveries.push(d.notes.length + d.messages.length);
      seen.push(...d.notes.map((n) => n.text), ...d.messages.map((m) => m.text.split(' ')[0]!));
    }
    assert.deepEqual(seen, ['ui decision', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    assert.ok(deliveries.length >= 2, `the 500-byte cap split the delivery (${deliveries.join(', ')})`);
    assert.equal(memory.deliver({ id: 'claude:s1', task: 'api' }), undefined, 'nothing twice');
    // The other session gets only the note it did not write… and no message (none was for it).
    assert.equal(memory.deliver({ id: 'codex:s2', task: 'ui' })?.notes.map((n) => n.text).join(), 'my own note is not delivered to me');
  } finally {
    repo.cleanup();
  }
});

test('at session start: recent notes of its task or of no task, not other tasks; messages to its task wait for it', () => {
  const { repo, store } = fresh();
  try {
    const memory = memoryWith(store, []);
    memory.note({ by: 'human:ann', text: 'repo-wide rule' });
    memory.note({ by: 'claude:x', task: 'ui', text: 'ui only' });
    memory.note({ by: 'claude:x', task: 'api', text: 'api detail' });
    memory.send({ from: 'human:ann', to: { kind: 'task', id: 'api' }, text: 'start with the schema' });
    const d = memory.deliver({ id: 'claude:new', task: 'api' }, { start: true })!;
    assert.deepEqual(d.notes.map((n) => n.text), ['repo-wide rule', 'api detail']);
    assert.deepEqual(d.messages.map((m) => m.text), ['start with the schema']);
    assert.equal(memory.deliver({ id: 'claude:new', task: 'api' }), undefined);
    memory.note({ by: 'claude:x', task: 'ui', text: 'later ui note' });
    assert.deepEqual(memory.deliver({ id: 'claude:new', task: 'api' })?.notes.map((n) => n.text), ['later ui note'], 'after the start, every new note of the others');
  } finally {
    repo.cleanup();
  }
});

test('a full mailbox refuses the sender and drops nothing; `all` skips full mailboxes and says which', () => {
  const { repo, store } = fresh();
  try {
    const live = [{ id: 'claude:busy' }, { id: 'codex:idle' }];
    const memory = memoryWith(store, live, { mailboxSize: 2 });
    memory.send({ from: 'human:ann', to: { kind: 'session', id: 'claude:busy' }, text: 'one' });
    memory.send({ from: 'human:ann', to: { kind: 'session', id: 'claude:busy' }, text: 'two' });
    assert.throws(() => memory.send({ from: 'human:ann', to: { kind: 'session', id: 'claude:busy' }, text: 'three' }), (e: unknown) => e instanceof MailboxFullError && /claude:busy's mailbox is full \(2 undelivered/.test((e as Error).message));
    const r = memory.send({ from: 'human:ann', to: { kind: 'all' }, text: 'to all' });
    assert.deepEqual(r.recipients, ['codex:idle']);
    assert.deepEqual(r.full, ['claude:busy']);
    assert.deepEqual(memory.unreadCounts(live), { 'claude:busy': 2, 'codex:idle': 1 });
    assert.deepEqual(memory.inbox({ id: 'claude:busy' }, { consume: true }).map((m) => m.text), ['one', 'two']);
    assert.deepEqual(memory.inbox({ id: 'claude:busy' }), [], 'consumed');
    memory.send({ from: 'human:ann', to: { kind: 'session', id: 'claude:busy' }, text: 'three' });
    assert.deepEqual(memory.deliver({ id: 'claude:busy' })?.messages.map((m) => m.text), ['three']);
    // A task with no session yet: its mailbox holds what waits for its first session.
    memory.send({ from: 'human:ann', to: { kind: 'task', id: 'later' }, text: 'a' });
    memory.send({ from: 'human:ann', to: { kind: 'task', id: 'later' }, text: 'b' });
    assert.throws(() => memory.send({ from: 'human:ann', to: { kind: 'task', id: 'later' }, text: 'c' }), /task later's mailbox is full/);
    assert.throws(() => memory.send({ from: 'human:ann', to: { kind: 'session', id: 'codex:idle' }, text: 'y'.repeat(5000) }), /5000 bytes; at most 4000/);
    assert.deepEqual(memory.inbox({ id: 'codex:idle' }).map((m) => m.text), ['to all'], 'the oversized message was not stored');
  } finally {
    repo.cleanup();
  }
});

// ---- real processes ----

const WORKER = path.join(__dirname, 'fixtures', 'memoryWorker.ts');
/** One bundled file: 16 processes starting through tsx would spend seconds compiling TypeScript. */
function bundledWorker(dir: string): string {
  const js = path.join(dir, 'memoryWorker.js');
  buildSync({ entryPoints: [WORKER], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: js, logLevel: 'error' });
  return js;
}

function startWorker(js: string, args: string[], live: Set<ChildProcess>): ChildProcess {
  const child = spawn(process.execPath, [js, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.on('exit', (code, signal) => {
    live.delete(child);
    if (signal !== 'SIGKILL' && code !== 0) process.stderr.write(`worker ${child.pid} exited ${code}: ${err}\n`);
  });
  live.add(child);
  return child;
}

function logLines(dir: string, prefix: string): Array<Record<string, unknown>> {
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

test('4 senders and 3 concurrent deliverers of one session: every message delivered exactly once, in order', { timeout: 120_000 }, async () => {
  const { repo, store, commonDir } = fresh();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-memory-'));
  const live = new Set<ChildProcess>();
  try {
    store.setConfig({ mailboxSize: 5 });
    const js = bundledWorker(work);
    const PER_SENDER = 40;
    for (let i = 0; i < 4; i++) startWorker(js, [commonDir, work, `s${i}`, 'send', String(PER_SENDER), 'claude:target'], live);
    for (let i = 0; i < 3; i++) startWorker(js, [commonDir, work, `d${i}`, 'deliver', 'Infinity', 'claude:target'], live);
    const delivered = () => logLines(work, 'deliver-').flatMap((l) => l.messages as number[]);
    await until(() => delivered().length >= 4 * PER_SENDER, 90_000);
    fs.writeFileSync(path.join(work, 'stop'), '');
    await until(() => live.size === 0, 30_000);
    assert.equal(live.size, 0, 'every worker stopped');
    const sent = logLines(work, 'send-').filter((l) => l.n !== undefined);
    assert.equal(sent.length, 4 * PER_SENDER);
    const fulls = logLines(work, 'send-').filter((l) => l.full).length;
    // Deliveries happen under the lock: ordered by the time they were taken, the numbers run 1, 2, 3… without gaps or repeats.
    const batches = logLines(work, 'deliver-').sort((a, b) => (a.at as number) - (b.at as number));
    const all = batches.flatMap((b) => b.messages as number[]);
    assert.deepEqual([...all].sort((a, b) => a - b), sent.map((s) => s.n as number).sort((a, b) => a - b), 'each sent message delivered once');
    for (let i = 1; i < all.length; i++) assert.ok(all[i]! > all[i - 1]!, `in order (…${all.slice(Math.max(0, i - 3), i + 2).join(', ')}…)`);
    process.stdout.write(`# delivery: ${sent.length} messages in ${batches.length} deliveries; senders found the 5-message mailbox full ${fulls} times\n`);
  } finally {
    for (const c of live) c.kill('SIGKILL');
    repo.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test('16 processes writing notes, killed at random with SIGKILL: no acknowledged note lost, none duplicated, numbers strictly increasing', { timeout: 180_000 }, async () => {
  const { repo, commonDir } = fresh();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-notes-'));
  const live = new Set<ChildProcess>();
  const started = new Map<ChildProcess, number>();
  try {
    const js = bundledWorker(work);
    let seq = 0;
    const start = () => started.set(startWorker(js, [commonDir, work, `w${seq++}`, 'note'], live), Date.now());
    for (let i = 0; i < 16; i++) start();
    let kills = 0;
    // Until enough kills and notes happened (a loaded machine takes longer; the bound only stops a stuck run).
    const end = Date.now() + 60_000;
    while (Date.now() < end && (kills < 12 || logLines(work, 'note-').length < 300)) {
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      const victims = [...live].filter((c) => Date.now() - started.get(c)! > 500);
      const victim = victims[Math.floor(Math.random() * victims.length)];
      if (!victim) continue;
      victim.kill('SIGKILL');
      kills++;
      start();
    }
    fs.writeFileSync(path.join(work, 'stop'), '');
    await until(() => live.size === 0, 30_000);
    assert.equal(live.size, 0, 'no worker stuck on the memory lock');
    const acked = logLines(work, 'note-');
    const notes = openMemory(openEmbeddedStore(commonDir)).notes();
    const numbers = notes.map((n) => n.n);
    for (let i = 1; i < numbers.length; i++) assert.ok(numbers[i]! > numbers[i - 1]!, `numbers strictly increase in the log (${numbers[i - 1]}, ${numbers[i]})`);
    assert.equal(new Set(notes.map((n) => n.text)).size, notes.length, 'no note duplicated');
    const byText = new Map(notes.map((n) => [n.text, n.n]));
    for (const a of acked) assert.equal(byText.get(a.text as string), a.n, `acknowledged note ${a.text} is in the log under its number`);
    assert.ok(kills >= 4 && acked.length >= 50, `enough happened to mean something: ${kills} kills, ${acked.length} acknowledged notes`);
    process.stdout.write(`# notes: ${kills} kills, ${acked.length} acknowledged, ${notes.length} in the log\n`);
    assert.equal(fs.existsSync(path.join(path.dirname(openEmbeddedStore(commonDir).paths.memory.lock), 'memory.lock')), false, 'lock released');
  } finally {
    for (const c of live) c.kill('SIGKILL');
    repo.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  }
});
