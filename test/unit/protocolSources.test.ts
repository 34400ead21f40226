// The pieces that feed the protocol's state from files: following a growing transcript (partial
// lines, truncation, rotation, rewrite in place) and coalescing bursts of events into runs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { CoalescingRunner } from '../../src/server/coalescingRunner';
import { JsonlTail } from '../../src/server/jsonlTail';

describe('JsonlTail', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-tail-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('returns complete lines only, keeping a partial last line for later', () => {
    const file = path.join(dir, 'a.jsonl');
    fs.writeFileSync(file, '{"n":1}\n{"n":2');
    const tail = new JsonlTail(file);
    assert.deepEqual(tail.read().lines, ['{"n":1}']);
    assert.deepEqual(tail.read().lines, []);
    fs.appendFileSync(file, '}\n{"n":3}\n');
    assert.deepEqual(tail.read().lines, ['{"n":2}', '{"n":3}']);
  });

  it('reads lines longer than its read chunk, and multi-byte text split across chunks', () => {
    const file = path.join(dir, 'big.jsonl');
    const big = JSON.stringify({ text: 'é'.repeat(1_500_000) });
    fs.writeFileSync(file, `${big}\n{"n":1}\n`);
    const lines = new JsonlTail(file).read().lines;
    assert.equal(lines.length, 2);
    assert.equal(lines[0], big);
  });

  it('restarts after truncation, rotation and a rewrite in place', () => {
    const file = path.join(dir, 'b.jsonl');
    fs.writeFileSync(file, '{"n":1}\n{"n":2}\n');
    const tail = new JsonlTail(file);
    assert.equal(tail.read().lines.length, 2);
    fs.writeFileSync(file, '{"n":9}\n'); // shorter: truncated
    assert.deepEqual(tail.read(), { lines: ['{"n":9}'], restarted: true, gone: false, mtimeMs: fs.statSync(file).mtimeMs });
    fs.writeFileSync(`${file}.new`, '{"r":1}\n');
    fs.renameSync(`${file}.new`, file); // rotated: another inode
    const rotated = tail.read();
    assert.deepEqual([rotated.lines, rotated.restarted], [['{"r":1}'], true]);
    fs.writeFileSync(file, '{"x":1}\n{"x":2}\n{"x":3}\n'); // same inode, longer, different start
    const rewritten = tail.read();
    assert.deepEqual([rewritten.lines, rewritten.restarted], [['{"x":1}', '{"x":2}', '{"x":3}'], true]);
    fs.rmSync(file);
    assert.equal(tail.read().gone, true);
  });
});

describe('CoalescingRunner', () => {
  // Every wait below is on the runner's own completion (idle()) or on the job itself, never a sleep.
  it('turns a burst of triggers into one run', async () => {
    let runs = 0;
    const runner = new CoalescingRunner(async () => void runs++, 5, (e) => assert.fail(String(e)));
    for (let i = 0; i < 1000; i++) runner.trigger();
    await runner.idle();
    assert.equal(runs, 1);
    for (let i = 0; i < 1000; i++) runner.trigger();
    await runner.idle();
    assert.equal(runs, 2);
    runner.close();
  });

  it('turns triggers during a run into exactly one more run', async () => {
    let runs = 0;
    let started: () => void = () => undefined;
    const firstStarted = new Promise<void>((r) => (started = r));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const runner = new CoalescingRunner(
      async () => {
        runs++;
        if (runs === 1) {
          started();
          await gate;
        }
      },
      5,
      (e) => assert.fail(String(e)),
    );
    for (let i = 0; i < 1000; i++) runner.trigger();
    await firstStarted;
    assert.equal(runs, 1);
    for (let i = 0; i < 1000; i++) runner.trigger(); // while the first run is in flight
    assert.equal(runs, 1, 'never two runs in flight');
    release();
    await runner.idle(); // resolves only when no run is pending or in flight
    assert.equal(runs, 2);
    runner.close();
  });
});
