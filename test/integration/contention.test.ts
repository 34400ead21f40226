// 16 real worker processes hammer claim/release on 3 keys through the embedded store while a driver
// kills random workers with SIGKILL (mid-transaction, mid-critical-section, holding the store lock)
// and respawns them. Afterwards: no two holders ever overlapped on a key, fences strictly
// increased per key, and the store is neither stuck nor corrupt.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildSync } from 'esbuild';
import { locateRepo } from '../../src/repoPaths/repoLocator';
import { openEmbeddedStore } from '../../src/store/embeddedStore';
import { readWholeJournal } from '../../src/store/journalFile';
import { runDoctor } from '../../src/store/storeDoctor';
import { storePaths } from '../../src/store/storePaths';
import { makeTempRepo } from '../helpers/tempRepo';
import { startWorker } from '../helpers/workerProcess';
import { checkContention } from './fixtures/contentionCheck';

const WORKERS = 16;
/** Run until both are reached (or MAX_RUN_MS passes): enough kills and enough completed holds. */
const TARGET_KILLS = 12;
const TARGET_HOLDS = 200;
const MAX_RUN_MS = 40_000;
const KEYS = ['src/a.ts', 'src/b.ts', 'src/c.ts'];
const WORKER = path.join(__dirname, 'fixtures', 'leaseWorker.ts');

test('16 processes, 3 keys, random SIGKILLs: mutual exclusion holds and the store recovers', { timeout: 90_000 }, async () => {
  const repo = makeTempRepo();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-contention-'));
  const live = new Set<ChildProcess>();
  const startedAt = new Map<ChildProcess, number>();
  const killTimes = new Map<number, number>();
  try {
    const commonDir = locateRepo(repo.root).commonDir;
    openEmbeddedStore(commonDir).setConfig({ ttlSeconds: 600 }); // no expiry: only death frees a lease
    // One bundled file: 16 processes starting through tsx would spend seconds compiling TypeScript.
    const workerJs = path.join(workDir, 'leaseWorker.js');
    buildSync({ entryPoints: [WORKER], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: workerJs, logLevel: 'error' });
    const logsDir = path.join(workDir, 'logs');
    fs.mkdirSync(logsDir);
    const completedHolds = () =>
      fs.readdirSync(logsDir).filter((f) => f.startsWith('worker-')).reduce((n, f) => n + (fs.readFileSync(path.join(logsDir, f), 'utf8').match(/"ev":"release"/g)?.length ?? 0), 0);
    let seq = 0;
    const start = () => startedAt.set(startWorker(workerJs, [commonDir, logsDir, `w${seq++}`, KEYS.join(','), '3'], live), Date.now());
    for (let i = 0; i < WORKERS; i++) start();

    // Kill and respawn at random until the targets are reached.
    const end = Date.now() + MAX_RUN_MS;
    await new Promise((r) => setTimeout(r, 1000));
    let kills = 0;
    while (Date.now() < end && (kills < TARGET_KILLS || completedHolds() < TARGET_HOLDS)) {
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 400));
      // Only workers that had time to start working: killing them while node boots proves nothing.
      const victims = [...live].filter((c) => Date.now() - startedAt.get(c)! > 1000);
      const victim = victims[Math.floor(Math.random() * victims.length)];
      if (!victim?.pid) continue;
      killTimes.set(victim.pid, Date.now());
      victim.kill('SIGKILL');
      kills++;
      start();
    }
    fs.writeFileSync(path.join(logsDir, 'stop'), '');
    const deadline = Date.now() + 30_000;
    while (live.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(live.size, 0, 'every worker stopped by itself (nobody stuck on the store lock)');

    const p = storePaths(commonDir);
    const journal = readWholeJournal(p.journal, p.journalRotated);
    const report = checkContention(logsDir, journal.entries, killTimes);
    process.stdout.write(
      `# contention: ${kills} kills, ${report.grants} grants, ${report.completedHolds} completed holds ` +
        `(${JSON.stringify(report.perKey)}), ${report.killedInside} holders killed inside, ${report.journalGaps} journal gaps from killed transactions\n`,
    );
    assert.deepEqual(report.violations, []);
    assert.ok(kills >= 5, `only ${kills} kills`);
    assert.ok(report.completedHolds >= 40, `only ${report.completedHolds} holds completed`);
    assert.equal(journal.skipped, 0, 'no torn journal line');

    // Not stuck, not corrupt: doctor is happy and a transaction runs (and frees the dead workers' leases).
    const doctor = runDoctor(commonDir);
    assert.equal(doctor.healthy, true, JSON.stringify(doctor.checks));
    assert.ok(!doctor.checks.some((c) => c.name === 'state' && c.repaired?.includes('rebuilt')), 'state never needed a rebuild');
    const store = openEmbeddedStore(commonDir, { lockTimeoutMs: 2000 });
    const leftover = store.transact((t) => Object.keys(t.state.leases));
    assert.deepEqual(leftover, [], 'killed holders were detected dead and their leases freed');
    assert.equal(fs.existsSync(p.lock), false);
  } finally {
    for (const c of live) c.kill('SIGKILL');
    repo.cleanup();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
});
