// The coordinator's CPU when nothing happens: a repository with 4 linked worktrees and a plan, the
// server started and settled (scheduler and matrix watching their files), then CPU time (its own and
// its reaped children's, from /proc) over an idle window, against an idle Node process in the same run.
// Before/after a change: LOCKSTEP_SERVER_JS=/path/to/other/dist/server.js runs another build.
// Run: node --import tsx test/bench/coordinatorIdle.bench.ts   (IDLE_SECONDS=… to change the window)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt } from '../helpers/cli';
import { makeTempRepo } from '../helpers/tempRepo';
import { startServer } from '../integration/serverHarness';

const IDLE_MS = Number(process.env.IDLE_SECONDS ?? 20) * 1000;
const TICKS = 100; // USER_HZ on Linux

/** utime + stime + cutime + cstime of a process, in ms. */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // after "pid (comm) ": state is field 0, utime 11, stime 12, cutime 13, cstime 14
  return ([11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) * 1000) / TICKS;
}

async function idleCpu(pid: number): Promise<number> {
  const before = cpuMs(pid);
  await new Promise((r) => setTimeout(r, IDLE_MS));
  return cpuMs(pid) - before;
}

async function main(): Promise<void> {
  ensureBuilt();
  const repo = makeTempRepo({ prefix: 'lockstep-idle-' });
  for (let i = 0; i < 200; i++) repo.write(`src/m${i % 10}/f${i}.ts`, `export const v = ${i};\n`);
  repo.write('.lockstep/plan.yaml', 'tasks:\n  - {id: a, title: A, prompt: p, scope: ["src/m1/**"]}\n  - {id: b, title: B, prompt: p, scope: ["src/m2/**"]}\n');
  repo.commitAll('files');
  for (let i = 0; i < 4; i++) repo.addWorktree(`wt${i}`, `work/${i}`);
  const server = await startServer({ root: repo.root, ...(process.env.LOCKSTEP_SERVER_JS ? { serverJs: process.env.LOCKSTEP_SERVER_JS } : {}) });
  const baseline = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await server.waitFor('a first snapshot', () => true);
    await server.conn.sendRequest('lockstep/getSchedulerState', {}).catch(() => undefined);
    await server.conn.sendRequest('lockstep/getMatrix', {}).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 5000)); // settle: initial scans, first git status
    const [serverMs, nodeMs] = await Promise.all([idleCpu(server.proc.pid!), idleCpu(baseline.pid!)]);
    const pct = (ms: number) => ((ms / IDLE_MS) * 100).toFixed(2);
    console.log(`coordinator idle over ${IDLE_MS / 1000} s (4 worktrees, plan of 2 tasks): ${serverMs.toFixed(0)} ms CPU = ${pct(serverMs)}% of one core`);
    console.log(`idle node process, same window: ${nodeMs.toFixed(0)} ms CPU = ${pct(nodeMs)}%`);
    console.log(`ratio coordinator / idle node: ${(serverMs / Math.max(nodeMs, 10)).toFixed(1)}x  (${process.env.LOCKSTEP_SERVER_JS ?? 'this build'})`);
  } finally {
    baseline.kill();
    await server.stop();
    fs.rmSync(path.join(path.dirname(repo.root)), { recursive: true, force: true });
  }
}

void main();
