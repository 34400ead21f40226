// Lease throughput with durability on: 8 worker processes contend for 3 keys through the embedded
// store (grant and release each one synced commit; denials answered from a lock-free snapshot, as
// the pre-edit hook does), for a fixed time. Prints grants/s and the overlaps found by the
// contention checker (must be 0), against a baseline measured in the same run: one process alone
// doing the same grant/release loop (no contention), and the disk's sync time.
// Run: node --import tsx test/bench/leaseThroughput.bench.ts [seconds=8] [workers=8]
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildSync } from 'esbuild';
import { locateRepo } from '../../src/repoPaths/repoLocator';
import { readWholeJournal } from '../../src/store/journalFile';
import { storePaths } from '../../src/store/storePaths';
import { makeTempRepo } from '../helpers/tempRepo';
import { checkContention } from '../integration/fixtures/contentionCheck';

const SECONDS = Number(process.argv[2] ?? 8);
const WORKERS = Number(process.argv[3] ?? 8);
const KEYS = ['src/a.ts', 'src/b.ts', 'src/c.ts'];

async function runWorkers(workerJs: string, count: number, seconds: number): Promise<{ grantsPerSec: number; overlaps: number; grants: number }> {
  const repo = makeTempRepo({ prefix: 'lockstep-bench-tput-' });
  const logs = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-logs-'));
  try {
    const commonDir = locateRepo(repo.root).commonDir;
    const children = Array.from({ length: count }, (_, i) =>
      spawn(process.execPath, [workerJs, commonDir, logs, `b${i}`, KEYS.join(','), '0'], { stdio: ['ignore', 'ignore', 'inherit'] }),
    );
    // Count from the first grant to the last, so process start-up is not measured.
    await new Promise((r) => setTimeout(r, seconds * 1000 + 1000));
    fs.writeFileSync(path.join(logs, 'stop'), '');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    const p = storePaths(commonDir);
    const journal = readWholeJournal(p.journal, p.journalRotated).entries;
    const grants = journal.filter((e) => e.op === 'grant');
    const span = (grants[grants.length - 1]!.at - grants[0]!.at) / 1000;
    const report = checkContention(logs, journal, new Map());
    return { grantsPerSec: grants.length / span, overlaps: report.violations.length, grants: grants.length };
  } finally {
    repo.cleanup();
    fs.rmSync(logs, { recursive: true, force: true });
  }
}

/** Median in-place 4 KiB overwrite + fdatasync in `dir`: the disk's floor for one commit. */
function syncMedianMs(dir: string, n = 40): number {
  const fd = fs.openSync(path.join(dir, 'sync-probe'), 'w+');
  const xs: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      fs.writeSync(fd, `${i}`.padEnd(4096), 0);
      fs.fdatasyncSync(fd);
      xs.push(performance.now() - t);
    }
  } finally {
    fs.closeSync(fd);
  }
  xs.sort((a, b) => a - b);
  return xs[xs.length >> 1]!;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-worker-'));
  try {
    const syncMs = syncMedianMs(dir);
    const workerJs = path.join(dir, 'leaseWorker.js');
    buildSync({ entryPoints: [path.join(__dirname, '..', 'integration', 'fixtures', 'leaseWorker.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: workerJs, logLevel: 'error' });
    const solo = await runWorkers(workerJs, 1, SECONDS / 2);
    const many = await runWorkers(workerJs, WORKERS, SECONDS);
    console.log(`leaseThroughput: durable grant+release transactions, 3 keys, ${SECONDS} s; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);
    console.log(`  1 process (baseline)   ${solo.grantsPerSec.toFixed(0).padStart(6)} grants/s  (${solo.grants} grants, ${solo.overlaps} overlaps)`);
    console.log(`  ${WORKERS} processes            ${many.grantsPerSec.toFixed(0).padStart(6)} grants/s  (${many.grants} grants, ${many.overlaps} overlaps)  ${(many.grantsPerSec / solo.grantsPerSec).toFixed(2)}x baseline`);
    console.log(`  disk: median commit sync ${syncMs.toFixed(2)} ms -> ceiling ~${(1000 / (2 * syncMs)).toFixed(0)} grant+release pairs/s (one synced commit each)`);
    console.log(`goal: >= 200 grants/s with 0 overlaps -> ${many.grantsPerSec >= 200 && many.overlaps === 0 ? 'met' : 'NOT met'}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
