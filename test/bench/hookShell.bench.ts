// Cost of `lockstep hook` now that shell tool calls reach it too, against starting node at all
// (`node -e 0`), all measured in this run, interleaved: an edit allowed and denied, a shell command
// that writes nothing (the common case the shell matcher adds), a shell write allowed and denied.
// Run: node --import tsx test/bench/hookShell.bench.ts [runs=30]
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { claudeBashPayload, claudeToolPayload } from '../fixtures/hookPayloads';
import { CLI, ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo } from '../helpers/tempRepo';

const RUNS = Number(process.argv[2] ?? 30);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const ENV = { ...process.env, LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '', LOCKSTEP_READ_ONLY: '', LOCKSTEP_FAIL_OPEN: '' };

/** One hook call; checks it answered as expected so a broken case is never timed as a fast one. */
function timed(args: string[], input: string, expectDeny?: boolean): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { input, encoding: 'utf8', env: ENV });
  const dt = performance.now() - t;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  if (expectDeny !== undefined && r.stdout.includes('"deny"') !== expectDeny) throw new Error(`expected ${expectDeny ? 'deny' : 'allow'}: ${r.stdout}`);
  return dt;
}

function main(): void {
  ensureBuilt();
  const repo = makeTempRepo({ prefix: 'lockstep-bench-shell-' });
  try {
    const claim = runCli(['claim', 'src/b.ts', '--session', 'human:other', '--ttl', '3600'], { cwd: repo.root });
    if (claim.status !== 0) throw new Error(claim.stderr);
    const me = 'bench-shell-0001';
    const cases: { name: string; payload: string; deny?: boolean }[] = [
      { name: 'edit allowed (Edit, renews own lease)', payload: JSON.stringify(claudeToolPayload('PreToolUse', me, repo.root, path.join(repo.root, 'src/a.ts'))), deny: false },
      { name: 'edit denied (Edit of a held file)', payload: JSON.stringify(claudeToolPayload('PreToolUse', me, repo.root, path.join(repo.root, 'src/b.ts'))), deny: true },
      { name: 'shell, writes nothing (Bash `npm test`)', payload: JSON.stringify(claudeBashPayload('PreToolUse', me, repo.root, 'npm test')), deny: false },
      { name: 'shell, no write, long (Bash `cd && … 2>&1 | tail`)', payload: JSON.stringify(claudeBashPayload('PreToolUse', me, repo.root, `cd ${repo.root} && npm test -- --grep "a > b" 2>&1 | tail -20`)), deny: false },
      { name: 'shell write allowed (`echo x >> src/a.ts`)', payload: JSON.stringify(claudeBashPayload('PreToolUse', me, repo.root, 'echo x >> src/a.ts')), deny: false },
      { name: 'shell write denied (`echo x >> src/b.ts`)', payload: JSON.stringify(claudeBashPayload('PreToolUse', me, repo.root, 'echo x >> src/b.ts')), deny: true },
    ];
    for (const c of cases) timed([CLI, 'hook', '--agent', 'claude'], c.payload, c.deny); // warm the store and the file cache
    const base: number[] = [];
    const times = cases.map(() => [] as number[]);
    for (let i = 0; i < RUNS; i++) {
      base.push(timed(['-e', '0'], ''));
      cases.forEach((c, k) => times[k]!.push(timed([CLI, 'hook', '--agent', 'claude'], c.payload, c.deny)));
    }
    const b = median(base);
    const row = (name: string, xs: number[]) => `${name.padEnd(60)} ${median(xs).toFixed(1).padStart(7)} ms   ${(median(xs) / b).toFixed(2)}x`;
    console.log(`hookShell: median of ${RUNS} runs each, interleaved (ratio against node -e 0); load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);
    console.log(row('node -e 0 (baseline)', base));
    cases.forEach((c, k) => console.log(row(`node dist/cli.js hook: ${c.name}`, times[k]!)));
  } finally {
    repo.cleanup();
  }
}

main();
