// Runs a verification command (argument array, no shell) in its own process group, kills the whole
// group on timeout, and captures combined output capped to a byte budget (keeping head and tail).
import { spawn } from 'node:child_process';
import { gitEnvironment } from './gitRunner';

export interface CheckSpec {
  /** Program and arguments, e.g. ['npm', 'test']. Never run through a shell. */
  command: string[];
  /** Kill the check (its whole process group) after this long. */
  timeoutMs: number;
  /** Keep at most this many bytes of output (first half and last half). */
  maxOutputBytes: number;
}

export interface CheckResult {
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Combined stdout and stderr, capped. */
  output: string;
  /** Bytes of output the check produced in total. */
  outputBytes: number;
  truncated: boolean;
  /** Set when the program could not be started. */
  spawnError?: string;
}

export interface RunCheckOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Called once the process is running (used by test-only fault injection). */
  onStarted?: (pid: number) => void;
}

export async function runCheck(spec: CheckSpec, opts: RunCheckOptions): Promise<CheckResult> {
  const capture = new CappedOutput(spec.maxOutputBytes);
  const child = spawn(spec.command[0], spec.command.slice(1), {
    cwd: opts.cwd,
    env: { ...gitEnvironment(), LC_ALL: process.env.LC_ALL, LANGUAGE: process.env.LANGUAGE, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so a timeout kills everything the check started
    windowsHide: true,
  });
  let timedOut = false;
  let spawnError: string | undefined;
  const killGroup = () => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* group already gone */
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, spec.timeoutMs);
  child.stdout.on('data', (c: Buffer) => capture.add(c));
  child.stderr.on('data', (c: Buffer) => capture.add(c));
  child.on('spawn', () => {
    if (child.pid !== undefined) opts.onStarted?.(child.pid);
  });

  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (err) => {
      spawnError = err.message;
      resolve({ code: null, signal: null });
    });
    child.on('exit', (c, s) => resolve({ code: c, signal: s }));
  });
  clearTimeout(timer);
  // Leftover background processes of the check would keep the pipes (and the worktree) busy.
  killGroup();
  await new Promise<void>((resolve) => {
    if (child.stdout.destroyed && child.stderr.destroyed) return resolve();
    const t = setTimeout(resolve, 2000);
    child.on('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
  if (spawnError) capture.add(Buffer.from(`could not start ${spec.command[0]}: ${spawnError}\n`));
  if (timedOut) capture.add(Buffer.from(`\n[lockstep: check killed after ${spec.timeoutMs} ms]\n`));
  return {
    ok: !timedOut && spawnError === undefined && code === 0,
    exitCode: code,
    signal: signal ?? null,
    timedOut,
    output: capture.text(),
    outputBytes: capture.total,
    truncated: capture.truncated,
    ...(spawnError ? { spawnError } : {}),
  };
}

/** Keeps the first and last `max/2` bytes of a stream and counts what it dropped. */
export class CappedOutput {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  total = 0;

  constructor(private readonly max: number) {}

  get truncated(): boolean {
    return this.total > this.max;
  }

  add(chunk: Buffer): void {
    this.total += chunk.length;
    const headCap = Math.ceil(this.max / 2);
    if (this.headBytes < headCap) {
      const take = chunk.subarray(0, headCap - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      chunk = chunk.subarray(take.length);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    const tailCap = this.max - headCap;
    // Drop whole chunks from the front while the rest still covers the cap, then trim.
    while (this.tail.length > 1 && this.tailBytes - this.tail[0].length >= tailCap) this.tailBytes -= this.tail.shift()!.length;
    if (this.tailBytes > tailCap * 2) this.compactTail(tailCap);
  }

  text(): string {
    const tailCap = this.max - Math.ceil(this.max / 2);
    this.compactTail(tailCap);
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    if (!this.truncated) return head + tail;
    const omitted = this.total - this.headBytes - this.tailBytes;
    return `${head}\n[... ${omitted} bytes omitted ...]\n${tail}`;
  }

  private compactTail(cap: number): void {
    if (this.tailBytes <= cap) return;
    const all = Buffer.concat(this.tail);
    const kept = all.subarray(all.length - cap);
    this.tail = [kept];
    this.tailBytes = kept.length;
  }
}
