// Benchmark: the landing queue against landing one by one. 16 branches (disjoint files), one of them
// breaking the check; the check takes a fixed time (--check-ms). Queue: one batch, bisected to the
// culprit. One by one: each branch landed on its own with its own check (what a person does without a
// queue). Prints the verification runs of each (goal for the queue: <= 1 + 2*log2(16) = 9) and the wall
// times with their ratio, for every culprit position asked.
//   node --import tsx test/bench/landingQueue.bench.ts [--branches 16] [--check-ms 300] [--culprit 5] [--parallel 1]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { land } from '../../src/git/landing';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const BRANCHES = arg('branches', 16);
const CHECK_MS = arg('check-ms', 300);
const CULPRIT = arg('culprit', 5);
const PARALLEL = arg('parallel', 1);

const ENV = { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'b@example.com' };
const gitSync = (cwd: string, args: string[]) => execFileSync('git', args, { cwd, env: ENV, encoding: 'utf8' }).trim();

function makeRepo(): { root: string; tasks: { id: string; branch: string }[] } {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-queue-bench-')));
  gitSync(root, ['init', '-q', '-b', 'main']);
  gitSync(root, ['config', 'commit.gpgsign', 'false']);
  fs.writeFileSync(path.join(root, 'README.md'), '# bench\n');
  gitSync(root, ['add', '-A']);
  gitSync(root, ['commit', '-q', '-m', 'initial']);
  const tasks: { id: string; branch: string }[] = [];
  for (let b = 0; b < BRANCHES; b++) {
    gitSync(root, ['checkout', '-q', '-b', `lockstep/t${b}`, 'main']);
    fs.writeFileSync(path.join(root, b === CULPRIT ? `BAD-${b}` : `f${b}.txt`), `${b}\n`);
    gitSync(root, ['add', '-A']);
    gitSync(root, ['commit', '-q', '-m', `t${b}`]);
    tasks.push({ id: `t${b}`, branch: `lockstep/t${b}` });
  }
  gitSync(root, ['checkout', '-q', '--detach', 'main']);
  return { root, tasks };
}

// Sleeps CHECK_MS, then fails when the candidate holds a BAD-* file.
const verify = {
  command: [process.execPath, '-e', `setTimeout(() => { if (require('fs').readdirSync('.').some((f) => f.startsWith('BAD-'))) process.exit(1); }, ${CHECK_MS})`],
  timeoutMs: 60_000,
  maxOutputBytes: 10_000,
};

async function main(): Promise<void> {
  const a = makeRepo();
  let t0 = performance.now();
  const queued = await land({ repoDir: a.root, target: 'main', tasks: a.tasks, atomic: true, verify, queue: { parallel: PARALLEL } });
  const queueMs = performance.now() - t0;
  if (queued.landed.length !== BRANCHES - 1 || queued.culprits[0]?.task !== `t${CULPRIT}`) throw new Error(`queue: unexpected result ${JSON.stringify(queued.culprits)}`);

  const b = makeRepo();
  let oneRuns = 0;
  t0 = performance.now();
  for (const t of b.tasks) {
    const r = await land({ repoDir: b.root, target: 'main', tasks: [t], atomic: true, verify });
    oneRuns += r.verifyRuns;
  }
  const oneMs = performance.now() - t0;
  const goal = 1 + 2 * Math.log2(BRANCHES);
  console.log(`${BRANCHES} branches, culprit t${CULPRIT}, check ${CHECK_MS} ms, parallel ${PARALLEL}`);
  console.log(`  queue:      ${queued.verifyRuns} verification runs (goal <= ${goal}), ${queueMs.toFixed(0)} ms, ${queued.landings.length} compare-and-swap`);
  console.log(`  one by one: ${oneRuns} verification runs, ${oneMs.toFixed(0)} ms, ${BRANCHES - 1} compare-and-swap`);
  console.log(`  runs ratio ${(queued.verifyRuns / oneRuns).toFixed(2)}, wall time ratio (queue / one by one) ${(queueMs / oneMs).toFixed(2)}`);
  fs.rmSync(a.root, { recursive: true, force: true });
  fs.rmSync(b.root, { recursive: true, force: true });
  if (queued.verifyRuns > goal) process.exitCode = 1;
}

void main();
