// Decision-log throughput with durability on: N worker processes append notes through the embedded
// store (numbered under the memory lock, each fdatasync'd before it is acknowledged) for a fixed
// time. Prints notes/s against baselines measured in the same run: one process alone, and the
// disk's own rate for the same appends from the same number of processes (open, append one line,
// fdatasync; no lock, no numbering).
// Run: node --import tsx test/bench/noteThroughput.bench.ts [seconds=6] [workers=8]
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { locateRepo } from '../../src/repoPaths/repoLocator';
import { openEmbeddedStore } from '../../src/store/embeddedStore';
import { openMemory } from '../../src/store/openMemory';
import { makeTempRepo } from '../helpers/tempRepo';

const SECONDS = Number(process.argv[2] ?? 6);
const WORKERS = Number(process.argv[3] ?? 8);

async function runNoteWorkers(workerJs: string, count: number, seconds: number): Promise<{ perSec: number; notes: number; gaps: number }> {
  const repo = makeTempRepo({ prefix: 'lockstep-bench-notes-' });
  const logs = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-logs-'));
  try {
    const commonDir = locateRepo(repo.root).commonDir;
    const children = Array.from({ length: count }, (_, i) => spawn(process.execPath, [workerJs, commonDir, logs, `b${i}`, 'note'], { stdio: ['ignore', 'ignore', 'inherit'] }));
    await new Promise((r) => setTimeout(r, seconds * 1000 + 1000));
    fs.writeFileSync(path.join(logs, 'stop'), '');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    const notes = openMemory(openEmbeddedStore(commonDir)).notes();
    // From the first note to the last, so process start-up is not measured.
    const span = (notes[notes.length - 1]!.at - notes[0]!.at) / 1000;
    const gaps = notes.filter((n, i) => i > 0 && n.n !== notes[i - 1]!.n + 1).length;
    return { perSec: notes.length / span, notes: notes.length, gaps };
  } finally {
    repo.cleanup();
    fs.rmSync(logs, { recursive: true, force: true });
  }
}

/** The same number of processes appending one synced line each, as fast as the disk allows. */
async function rawAppendsPerSec(dir: string, count: number, seconds: number): Promise<number> {
  const file = path.join(dir, 'raw.jsonl');
  const script = `const fs=require('fs');const end=Date.now()+${seconds * 1000};let n=0;while(Date.now()<end){const fd=fs.openSync(${JSON.stringify(file)},'a');fs.writeSync(fd,JSON.stringify({n,at:Date.now(),by:'human:b',text:'b-'+process.pid+'-'+n})+'\\n');fs.fdatasyncSync(fd);fs.closeSync(fd);n++}process.stdout.write(String(n))`;
  const counts = await Promise.all(
    Array.from({ length: count }, () => new Promise<number>((resolve) => {
      const c = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.on('exit', () => resolve(Number(out)));
    })),
  );
  return counts.reduce((a, b) => a + b, 0) / seconds;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-notes-worker-'));
  try {
    const workerJs = path.join(dir, 'memoryWorker.js');
    buildSync({ entryPoints: [path.join(__dirname, '..', 'integration', 'fixtures', 'memoryWorker.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: workerJs, logLevel: 'error' });
    const raw = await rawAppendsPerSec(dir, WORKERS, SECONDS / 2);
    const solo = await runNoteWorkers(workerJs, 1, SECONDS / 2);
    const many = await runNoteWorkers(workerJs, WORKERS, SECONDS);
    console.log(`noteThroughput: durable notes (numbered, fdatasync'd before acknowledged), ${SECONDS} s; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);
    console.log(`  disk: ${WORKERS} processes appending synced lines (no lock)  ${raw.toFixed(0).padStart(6)} lines/s`);
    console.log(`  1 process                                 ${solo.perSec.toFixed(0).padStart(6)} notes/s  (${solo.notes} notes, ${solo.gaps} gaps)`);
    console.log(`  ${WORKERS} processes                               ${many.perSec.toFixed(0).padStart(6)} notes/s  (${many.notes} notes, ${many.gaps} gaps)  ${(many.perSec / raw).toFixed(2)}x the disk's synced appends, ${(many.perSec / solo.perSec).toFixed(2)}x 1 process`);
    console.log(`goal: >= 1000 notes/s from ${WORKERS} processes -> ${many.perSec >= 1000 ? 'met' : 'NOT met'}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
