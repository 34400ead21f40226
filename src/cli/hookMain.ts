// Entry of dist/hook.js: the fast path of `lockstep hook` (see hookRun.ts). Reads stdin
// synchronously with a cap, answers, and sets the exit code. The decision path (hookRun.ts) and the
// waker (hookWake.ts) are loaded with require(): esbuild then evaluates only the one this call runs.
import * as fs from 'node:fs';
import { MAX_HOOK_PAYLOAD_BYTES } from './hookLimits';

function readStdinCapped(cap: number): { data: Buffer; tooLarge: boolean } {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.alloc(64 * 1024);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 2);
        continue;
      }
      if (code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    total += n;
    if (total > cap) return { data: Buffer.alloc(0), tooLarge: true };
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return { data: Buffer.concat(chunks), tooLarge: false };
}

function main(): void {
  // `lockstep doctor` asks whether an installed hook would reach Lockstep, without a payload.
  if (process.env.LOCKSTEP_HOOK_PROBE === '1') {
    fs.writeSync(1, 'lockstep hook: probe ok\n');
    return;
  }
  let args = process.argv.slice(2);
  if (args[0] === 'hook') args = args.slice(1);
  const wantsHelp = args.includes('--help') || args.includes('-h');
  if (args.includes('--wake') && !wantsHelp) {
    // Claude Code's asyncRewake Stop hook: waits for a message to wake the idle session (hookWake.ts).
    const { runWake } = require('./hookWake') as typeof import('./hookWake');
    const w = runWake(readStdinCapped(MAX_HOOK_PAYLOAD_BYTES).data, process.env);
    if (w.stderr) fs.writeSync(2, w.stderr);
    process.exitCode = w.exitCode;
    return;
  }
  const stdin = wantsHelp ? { data: Buffer.alloc(0), tooLarge: false } : readStdinCapped(MAX_HOOK_PAYLOAD_BYTES);
  let answer;
  try {
    const { runHook } = require('./hookRun') as typeof import('./hookRun');
    answer = runHook({ args, stdin: stdin.data, tooLarge: stdin.tooLarge, env: process.env, cwd: process.cwd() });
  } catch (e) {
    // A bug in Lockstep: say so on one line; exit 2 blocks the edit in agents that understand it.
    answer = { stdout: '', stderr: `lockstep hook: internal error: ${(e as Error).message?.split('\n')[0] ?? String(e)}; run \`lockstep doctor\`\n`, exitCode: 2 };
  }
  if (answer.stdout) fs.writeSync(1, answer.stdout);
  if (answer.stderr) fs.writeSync(2, answer.stderr);
  process.exitCode = answer.exitCode;
}

main();
