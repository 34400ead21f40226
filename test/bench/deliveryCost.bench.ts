// What delivering notes and messages adds to a hook call: a Claude PostToolUse (an edit's
// after-hook, an event whose answer carries context) run in this process through runHook, with
// the delivery step measured on its own in the same loop: nothing to deliver (the common case: a
// cursor read and two stats) and one message waiting (lock, read, durable cursor write). Ratios are
// to the hook without the delivery step, from the same runs. Process start-up (~tens of ms, paid by
// every hook call) is left out, which makes the ratios an upper bound.
// Run: node --import tsx test/bench/deliveryCost.bench.ts [runs=200]
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runHook } from '../../src/cli/hookRun';
import { locateRepo } from '../../src/repoPaths/repoLocator';
import { openEmbeddedStore } from '../../src/store/embeddedStore';
import { openMemory } from '../../src/store/openMemory';
import { makeTempRepo } from '../helpers/tempRepo';

const RUNS = Number(process.argv[2] ?? 200);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function main(): void {
  const repo = makeTempRepo({ prefix: 'lockstep-bench-delivery-' });
  try {
    const store = openEmbeddedStore(locateRepo(repo.root).commonDir);
    const memory = openMemory(store);
    const session = { id: 'claude:bench-session-0001' };
    memory.note({ by: 'human:bench', text: 'a decision, so the logs exist' });
    const payload = Buffer.from(
      JSON.stringify({
        session_id: 'bench-session-0001',
        cwd: repo.root,
        hook_event_name: 'PostToolUse',
        tool_name: 'Edit',
        tool_input: { file_path: path.join(repo.root, 'src/a.ts'), old_string: 'a', new_string: 'b' },
        tool_response: { filePath: path.join(repo.root, 'src/a.ts'), success: true },
        tool_use_id: 'toolu_bench',
      }),
    );
    const env = { ...process.env, LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '' };
    const hook = () => runHook({ args: [], stdin: payload, env, cwd: repo.root });
    for (let i = 0; i < 20; i++) hook(); // warm up; delivers the note once
    const hookMs: number[] = [];
    const emptyMs: number[] = [];
    const messageMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      hook();
      hookMs.push(performance.now() - t);
      t = performance.now();
      if (memory.deliver(session) !== undefined) throw new Error('expected nothing to deliver');
      emptyMs.push(performance.now() - t);
      memory.send({ from: 'human:bench', to: { kind: 'session', id: session.id }, text: `message ${i}` });
      t = performance.now();
      if (memory.deliver(session)?.messages.length !== 1) throw new Error('expected one message');
      messageMs.push(performance.now() - t);
    }
    const hook_ = median(hookMs);
    const empty = median(emptyMs);
    const message = median(messageMs);
    const without = hook_ - empty;
    console.log(`deliveryCost: Claude PostToolUse hook in-process, ${RUNS} runs, medians`);
    console.log(`  hook without delivery      ${without.toFixed(3)} ms  (baseline)`);
    console.log(`  + nothing to deliver       ${empty.toFixed(3)} ms  -> ${(hook_ / without).toFixed(2)}x baseline`);
    console.log(`  + one message to deliver   ${message.toFixed(3)} ms  -> ${((without + message) / without).toFixed(2)}x baseline`);
  } finally {
    repo.cleanup();
  }
}

main();
