// The shared memory (decision log, mailboxes, delivery cursors) on a real repository's embedded
// store: the memory contract (fixtures/memoryContract.ts), and real processes writing and
// delivering concurrently, some of them killed with SIGKILL.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { locateRepo } from '../../src/repoPaths/repoLocator';
import { openEmbeddedStore, type EmbeddedStore } from '../../src/store/embeddedStore';
import { EmbeddedMemory } from '../../src/store/embeddedMemory';
import type { SessionRef } from '../../src/store/memoryStore';
import { openMemory } from '../../src/store/openMemory';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { bundledWorker, logLines, startWorker, until } from './fixtures/memoryProcesses';
import { memoryContract } from './fixtures/memoryContract';

function fresh(): { repo: TempRepo; store: EmbeddedStore; commonDir: string } {
  const repo = makeTempRepo();
  const commonDir = locateRepo(repo.root).commonDir;
  return { repo, store: openEmbeddedStore(commonDir), commonDir };
}

function memoryWith(store: EmbeddedStore, live: SessionRef[], opts: { mailboxSize?: number; deliveryBytes?: number } = {}): EmbeddedMemory {
  return new EmbeddedMemory(store.paths.memory, { liveSessions: () => live, ...opts });
}

memoryContract('embedded', () => {
  const { repo, store } = fresh();
  return { memory: (live, opts = {}) => memoryWith(store, live, opts), reopen: () => openMemory(openEmbeddedStore(locateRepo(repo.root).commonDir)), cleanup: () => repo.cleanup() };
});

// ---- real processes ----

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
