// Cost of one `lockstep hook` call (a Claude PreToolUse Edit that renews its own lease, the common
// case) against starting node at all (`node -e 0`), both measured in this run, interleaved.
// Also: loading the hook bundle alone (`dist/hook.js --help`), and the other human commands' bundle.
// Run: node --import tsx test/bench/hookLatency.bench.ts [runs=30]
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CLI, ensureBuilt, PROJECT_ROOT } from '../helpers/cli';
import { makeTempRepo } from '../helpers/tempRepo';

const RUNS = Number(process.argv[2] ?? 30);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function timed(args: string[], input = ''): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { input, encoding: 'utf8' });
  const dt = performance.now() - t;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return dt;
}

function main(): void {
  ensureBuilt();
  const repo = makeTempRepo({ prefix: 'lockstep-bench-hook-' });
  try {
    const payload = JSON.stringify({
      session_id: 'bench-session-0001',
      transcript_path: '/home/u/.claude/projects/bench/bench-session-0001.jsonl',
      cwd: repo.root,
      permission_mode: 'default',
      hook_event_name: 'PreToolUse',
      tool_name: 'Edit',
      tool_input: { file_path: path.join(repo.root, 'src/a.ts'), old_string: 'a', new_string: 'b' },
      tool_use_id: 'toolu_bench',
    });
    const first = spawnSync(process.execPath, [CLI, 'hook', '--agent', 'claude'], { input: payload, encoding: 'utf8' });
    if (first.status !== 0 || first.stdout.includes('"deny"')) throw new Error(`hook did not allow: ${first.stdout} ${first.stderr}`);
    const base: number[] = [];
    const hook: number[] = [];
    const load: number[] = [];
    const commands: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      base.push(timed(['-e', '0']));
      hook.push(timed([CLI, 'hook', '--agent', 'claude'], payload));
      load.push(timed([path.join(PROJECT_ROOT, 'dist', 'hook.js'), '--help']));
      commands.push(timed([CLI, '--help']));
    }
    const b = median(base);
    const row = (name: string, xs: number[]) => `${name.padEnd(44)} ${median(xs).toFixed(1).padStart(7)} ms   ${(median(xs) / b).toFixed(2)}x`;
    console.log(`hookLatency: median of ${RUNS} runs each, interleaved (ratio against node -e 0); load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);
    console.log(row('node -e 0 (baseline)', base));
    console.log(row('node dist/hook.js --help (load only)', load));
    console.log(row('node dist/cli.js hook (pre-edit, renew)', hook));
    console.log(row('node dist/cli.js --help (commander bundle)', commands));
    console.log(`goal: hook <= 1.5x baseline -> ${median(hook) / b <= 1.5 ? 'met' : 'NOT met'} (${(median(hook) / b).toFixed(2)}x)`);
  } finally {
    repo.cleanup();
  }
}

main();
