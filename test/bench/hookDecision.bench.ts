// What one hook decision costs inside a long-lived process (the `lockstep mcp` server behind Claude
// Code's mcp_tool hooks runs exactly this: runHook, the store read afresh, the transaction made
// durable): a PreToolUse plus PostToolUse pair of a Claude Edit, each to a new file, with the session
// holding more and more leases (every decision renews them all). Figures per pair, and the ratio to
// starting node at all (`node -e 0`, measured in this run).
// Run: node --import tsx test/bench/hookDecision.bench.ts [pairs=100]
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runHook } from '../../src/cli/hookRun';
import { makeTempRepo } from '../helpers/tempRepo';

const PAIRS = Number(process.argv[2] ?? 100);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function main(): void {
  const files: Record<string, string> = {};
  for (let i = 0; i < PAIRS; i++) files[`src/f${i}.ts`] = `x${i}\n`;
  const repo = makeTempRepo({ prefix: 'lockstep-bench-decision-', files });
  const env = { ...process.env, LOCKSTEP_STORE: '', LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '' };
  let n = 0;
  const decide = (event: 'PreToolUse' | 'PostToolUse', i: number): void => {
    const payload = {
      session_id: 'bench-decision-0001',
      transcript_path: '/tmp/bench-decision-0001.jsonl',
      cwd: repo.root,
      hook_event_name: event,
      tool_name: 'Edit',
      tool_input: { file_path: path.join(repo.root, `src/f${i}.ts`), old_string: 'x', new_string: 'y' },
      tool_use_id: `toolu_${n++}`,
      ...(event === 'PostToolUse' ? { tool_response: {} } : {}),
    };
    const a = runHook({ args: ['--agent', 'claude'], stdin: Buffer.from(JSON.stringify(payload)), env, cwd: repo.root });
    if (a.exitCode !== 0) throw new Error(`${event} exited ${a.exitCode}: ${a.stderr}`);
  };
  try {
    const pairs: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const t = performance.now();
      decide('PreToolUse', i);
      decide('PostToolUse', i);
      pairs.push(performance.now() - t);
    }
    const node: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      node.push(performance.now() - t);
    }
    const base = median(node);
    const at = (k: number) => median(pairs.slice(Math.max(0, k - 10), k));
    console.log(`hook decision in-process: PreToolUse + PostToolUse of an Edit, ${PAIRS} pairs; node -e 0 = ${base.toFixed(0)} ms`);
    for (const k of [10, Math.round(PAIRS / 2), PAIRS]) {
      console.log(`  holding ~${k} leases: ${at(k).toFixed(2)} ms a pair (${(at(k) / 2 / base).toFixed(3)}x node -e 0 a decision)`);
    }
  } finally {
    repo.cleanup();
  }
}

main();
