// Benchmark: atomic landing of 10 branches on a repository of 20,000 files (no verify command), against
// the same merges done by plain git commands (merge-tree + commit-tree per branch, one update-ref) in the
// same run. Prints medians and the ratio (goal: <= 1.5x).
//   node --import tsx test/bench/landing.bench.ts [--files 20000] [--branches 10] [--rounds 5]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { land } from '../../src/git/landing';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const FILES = arg('files', 20_000);
const BRANCHES = arg('branches', 10);
const ROUNDS = arg('rounds', 5);

const ENV = { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'b@example.com' };
const gitSync = (cwd: string, args: string[], input?: string, env: NodeJS.ProcessEnv = ENV) => execFileSync('git', args, { cwd, env, input, encoding: 'utf8', maxBuffer: 1 << 30 }).trim();

function fileName(i: number): string {
  return `pkg${Math.floor(i / 500)}/mod${Math.floor(i / 50) % 10}/file-${i}.ts`;
}

/** A repository with FILES files on main and BRANCHES branches editing disjoint files, via fast-import. */
function makeRepo(root: string): string {
  gitSync(root, ['init', '-q', '-b', 'main']);
  gitSync(root, ['config', 'commit.gpgsign', 'false']);
  const chunks: string[] = [];
  const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}\n`;
  const who = `Bench <b@example.com> ${Math.floor(Date.now() / 1000)} +0000`;
  chunks.push(`commit refs/heads/main\nmark :1\ncommitter ${who}\n${data('initial')}`);
  for (let i = 0; i < FILES; i++) chunks.push(`M 100644 inline ${fileName(i)}\n${data(`export const v${i} = ${i};\n`)}`);
  for (let b = 0; b < BRANCHES; b++) {
    chunks.push(`commit refs/heads/lockstep/task-${b}\ncommitter ${who}\n${data(`task ${b}`)}from :1\n`);
    for (let k = 0; k < 3; k++) {
      const i = (b * 997 + k * 131) % FILES;
      chunks.push(`M 100644 inline ${fileName(i)}\n${data(`export const v${i} = ${i}; // task ${b}\n`)}`);
    }
  }
  // A large malloc top pad: fast-import otherwise grows its heap in tiny brk steps, very slow on some VMs.
  gitSync(root, ['fast-import', '--quiet'], chunks.join(''), { ...ENV, MALLOC_TOP_PAD_: String(256 << 20) });
  const base = gitSync(root, ['rev-parse', 'refs/heads/main']);
  // Detach HEAD without a checkout: the target is not checked out anywhere.
  gitSync(root, ['update-ref', '--no-deref', 'HEAD', base]);
  return base;
}

const tasks = Array.from({ length: BRANCHES }, (_, b) => ({ id: `task-${b}`, branch: `lockstep/task-${b}` }));

/** Baseline: the same merges with plain git commands, one after the other. */
function plainGit(root: string): string {
  const old = gitSync(root, ['rev-parse', 'refs/heads/main']);
  let cand = old;
  for (const t of tasks) {
    const tree = gitSync(root, ['merge-tree', '--write-tree', cand, `refs/heads/${t.branch}`]).split('\n')[0];
    cand = gitSync(root, ['commit-tree', tree, '-p', cand, '-p', `refs/heads/${t.branch}`, '-m', `Land ${t.id}`]);
  }
  gitSync(root, ['update-ref', '-m', 'land', 'refs/heads/main', cand, old]);
  return cand;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-'));
  try {
    let t = performance.now();
    const base = makeRepo(dir);
    const setupMs = performance.now() - t;
    const ours: number[] = [];
    const plain: number[] = [];
    let treesAgree = true;
    for (let r = 0; r < ROUNDS; r++) {
      gitSync(dir, ['update-ref', 'refs/heads/main', base]);
      t = performance.now();
      const res = await land({ repoDir: dir, target: 'main', tasks, atomic: true });
      ours.push(performance.now() - t);
      if (!res.ok) throw new Error(`landing failed: ${JSON.stringify(res.culprit ?? res.refused)}`);
      const oursTree = gitSync(dir, ['rev-parse', `${res.after}^{tree}`]);

      gitSync(dir, ['update-ref', 'refs/heads/main', base]);
      t = performance.now();
      const cand = plainGit(dir);
      plain.push(performance.now() - t);
      treesAgree &&= gitSync(dir, ['rev-parse', `${cand}^{tree}`]) === oursTree;
    }
    const o = median(ours);
    const p = median(plain);
    console.log(`landing.bench: ${FILES} files, ${BRANCHES} branches, atomic, no verify, ${ROUNDS} rounds (repo generated in ${setupMs.toFixed(0)} ms)`);
    console.log(`  lockstep land():             median ${o.toFixed(0)} ms  (runs: ${ours.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(`  plain git (merge-tree+commit-tree+update-ref): median ${p.toFixed(0)} ms  (runs: ${plain.map((x) => x.toFixed(0)).join(', ')})`);
    console.log(`  ratio lockstep/plain: ${(o / p).toFixed(2)}x (goal <= 1.5x); same resulting tree: ${treesAgree}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
