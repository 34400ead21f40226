// What one `lockstep hook` process costs per Claude Code event type, against `node -e 0` and against
// loading the hook bundle alone (`dist/hook.js --help`), all measured in this run, interleaved. The
// difference between an event and the load-only row is the event's own work (store transaction,
// process lookup, shell-write scan); the load-only row is what every event pays for the bundle.
//   node --import tsx test/bench/hookEvents.bench.ts [runs=15]
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { claudeBashPayload, claudeSessionPayload, claudeToolPayload } from '../fixtures/hookPayloads';
import { CLI, ensureBuilt, PROJECT_ROOT } from '../helpers/cli';
import { makeTempRepo } from '../helpers/tempRepo';

const RUNS = Number(process.argv[2] ?? 15);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function timed(args: string[], input = '', env?: NodeJS.ProcessEnv): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { input, encoding: 'utf8', env: { ...process.env, LOCKSTEP_SESSION: '', ...env } });
  const dt = performance.now() - t;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return dt;
}

function main(): void {
  ensureBuilt();
  const repo = makeTempRepo({ prefix: 'lockstep-bench-events-', files: { 'src/a.ts': 'a\n' } });
  try {
    const session = 'bench-events-0001';
    const file = path.join(repo.root, 'src/a.ts');
    const prompt = { ...claudeSessionPayload('SessionStart', session, repo.root), hook_event_name: 'UserPromptSubmit', prompt: 'go' };
    delete (prompt as Record<string, unknown>).source;
    const stop = { ...claudeSessionPayload('SessionStart', session, repo.root), hook_event_name: 'Stop', stop_hook_active: false };
    delete (stop as Record<string, unknown>).source;
    const events: Array<[string, unknown]> = [
      ['SessionStart', claudeSessionPayload('SessionStart', session, repo.root)],
      ['UserPromptSubmit', prompt],
      ['PreToolUse Edit (lease renew)', claudeToolPayload('PreToolUse', session, repo.root, file)],
      ['PostToolUse Edit (record)', claudeToolPayload('PostToolUse', session, repo.root, file)],
      ['PreToolUse Bash `true` (no write)', claudeBashPayload('PreToolUse', session, repo.root, 'true')],
      ['PostToolUse Bash `true`', claudeBashPayload('PostToolUse', session, repo.root, 'true')],
      ['Stop', stop],
    ];
    const hookArgs = [CLI, 'hook', '--agent', 'claude'];
    for (const [, p] of events) timed(hookArgs, JSON.stringify(p)); // warm: the session and its lease exist
    const base: number[] = [];
    const load: number[] = [];
    const per = events.map(() => [] as number[]);
    for (let i = 0; i < RUNS; i++) {
      base.push(timed(['-e', '0']));
      load.push(timed([path.join(PROJECT_ROOT, 'dist', 'hook.js'), '--help']));
      events.forEach(([, p], k) => per[k]!.push(timed(hookArgs, JSON.stringify(p))));
    }
    const b = median(base);
    const l = median(load);
    const row = (name: string, xs: number[]) =>
      `${name.padEnd(36)} ${median(xs).toFixed(1).padStart(7)} ms  ${(median(xs) / b).toFixed(2).padStart(5)}x node -e 0  ${(median(xs) - l).toFixed(1).padStart(6)} ms beyond load`;
    console.log(`hookEvents: median of ${RUNS} runs each, interleaved; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);
    console.log(row('node -e 0 (baseline)', base));
    console.log(row('dist/hook.js --help (load only)', load));
    events.forEach(([name], k) => console.log(row(name, per[k]!)));
  } finally {
    repo.cleanup();
  }
}

main();
