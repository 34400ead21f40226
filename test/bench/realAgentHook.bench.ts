// The hook's share of a real edit's wall time, per real agent CLI: each agent edits one free file
// (scripted model endpoint, hooks installed by `lockstep hooks install`), with every hook call timed
// by test/bench/timedHook.mjs. The edit's wall time is the tool round trip as the model sees it:
// from the reply asking for the edit to the request carrying its result. It holds the pre-edit and
// post-edit hooks, the agent's own work and the timing wrapper's start (not subtracted). Baseline:
// `node -e 0` in the same process.
//   node --import tsx test/bench/realAgentHook.bench.ts [claude codex gemini copilot] [--runs N]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, PROJECT_ROOT } from '../helpers/cli';
import { DRIVERS, type RealAgentName } from '../realAgents/agents';
import { makeRealAgentWorld } from '../realAgents/harness';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
const agents = (args.filter((a, i) => !a.startsWith('--') && (runsAt < 0 || i !== runsAt + 1)) as RealAgentName[]).filter((a) => a in DRIVERS);
const chosen: RealAgentName[] = agents.length ? agents : ['claude', 'codex', 'gemini', 'copilot'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function nodeBaseline(): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0']);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

/** The wrapper's own cost: timing `node timedHook.mjs log -- node -e 0` against `node -e 0`. */
function wrapperOverhead(log: string): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'test/bench/timedHook.mjs'), log, process.execPath, '-e', '0'], { input: '{}' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

/**
 * Claude's asyncRewake Stop hook (`--wake`) waits in the background after a turn, and exits at once
 * only when it finds a `claude -p` among its ancestors; under the timing wrapper it finds the wrapper
 * instead and waits, so `claude -p` never exits. It is no part of an edit: run it unwrapped.
 */
function untimeWakeHook(root: string, timed: string): void {
  const file = path.join(root, '.claude', 'settings.json');
  const text = fs.readFileSync(file, 'utf8');
  const wrapped = JSON.stringify(`LOCKSTEP_HOOK=1 ${timed} --wake`);
  if (!text.includes(wrapped)) throw new Error(`no timed --wake hook in ${file}`);
  fs.writeFileSync(file, text.replace(wrapped, JSON.stringify(`LOCKSTEP_HOOK=1 ${process.execPath} ${CLI} hook --agent claude --wake`)));
  spawnSync('git', ['commit', '-qam', 'untimed wake hook'], { cwd: root });
}

async function measure(agent: RealAgentName) {
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-')), 'hooks.jsonl');
  const command = `${process.execPath} ${path.join(PROJECT_ROOT, 'test/bench/timedHook.mjs')} ${log} ${process.execPath} ${CLI} hook --agent ${agent}`;
  const world = makeRealAgentWorld({ hooksFor: [agent], hookCommand: command, hookTransport: 'command' });
  if (agent === 'claude') untimeWakeHook(world.repo.root, command);
  const rows: Array<{ wall: number; hooks: number; calls: number; agentRun: number }> = [];
  try {
    for (let i = 0; i < runs; i++) {
      const file = path.join(world.repo.root, 'src/a.ts');
      const from = i === 0 ? 'export const a = 1;' : `export const a = ${i * 10};`;
      const t0 = Date.now();
      const run = await world.run(agent, [DRIVERS[agent].editTurn(file, from, `export const a = ${(i + 1) * 10};`, world.repo.root)]);
      const agentRun = Date.now() - t0;
      const main = run.server.mainRequests();
      const asked = main[0]!.repliedAt!;
      const answered = main[1]!.at;
      const calls = fs
        .readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { event: string; t0: number; t1: number })
        .filter((c) => c.t0 >= asked && c.t1 <= answered);
      rows.push({ wall: answered - asked, hooks: calls.reduce((s, c) => s + (c.t1 - c.t0), 0), calls: calls.length, agentRun });
    }
  } finally {
    await world.cleanup();
  }
  return rows;
}

async function main() {
  const baseline = nodeBaseline();
  const overhead = wrapperOverhead(path.join(os.tmpdir(), 'lockstep-bench-overhead.jsonl')) - baseline;
  console.log(`baseline: node -e 0 = ${baseline.toFixed(0)} ms; timing wrapper adds ${overhead.toFixed(0)} ms per hook call (inside the edit wall time, so the share is a lower bound)`);
  console.log('agent    runs  edit wall (ms)  hook calls  hook time (ms)  hook share  hook time / node -e 0  whole run (s)');
  for (const agent of chosen) {
    const rows = await measure(agent);
    const wall = median(rows.map((r) => r.wall));
    const hooks = median(rows.map((r) => r.hooks));
    const calls = median(rows.map((r) => r.calls));
    const whole = median(rows.map((r) => r.agentRun)) / 1000;
    console.log(
      `${agent.padEnd(8)} ${String(rows.length).padStart(4)}  ${wall.toFixed(0).padStart(14)}  ${String(calls).padStart(10)}  ${hooks.toFixed(0).padStart(14)}  ${((100 * hooks) / wall).toFixed(0).padStart(9)}%  ${(hooks / calls / baseline).toFixed(1).padStart(20)}x  ${whole.toFixed(1).padStart(13)}`,
    );
  }
}

void main();
