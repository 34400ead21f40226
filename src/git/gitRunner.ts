// Runs git as a child process with an argument array (never a shell), with one-line errors
// and bounded retries when another git process holds a lock file (index.lock, ref locks).
import { spawn } from 'node:child_process';

export interface GitOptions {
  /** Directory git runs in. */
  cwd: string;
  /** Extra environment; merged over the cleaned process environment. */
  env?: Record<string, string | undefined>;
  /** Written to git's stdin (then closed). */
  input?: string | Buffer;
  /** Kill git (SIGKILL) after this long. Default 120 s. */
  timeoutMs?: number;
  /** Largest stdout accepted, in bytes. Default 256 MiB. */
  maxBuffer?: number;
  /** Exit codes that are answers rather than failures (e.g. [1] for merge-tree conflicts). */
  okExitCodes?: readonly number[];
  /** How many times to retry when a `.lock` file is held by another git. Default 6. */
  lockRetries?: number;
}

export interface GitOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export type GitFailureKind = 'exit' | 'timeout' | 'spawn' | 'max-buffer';

export class GitCommandError extends Error {
  override readonly name = 'GitCommandError';
  constructor(
    readonly args: readonly string[],
    readonly kind: GitFailureKind,
    readonly exitCode: number | null,
    readonly stderr: string,
    detail: string,
  ) {
    super(`git ${summarizeArgs(args)} failed: ${detail}`);
  }
}

// Variables that would point git at another repository than `cwd` (e.g. when we run inside a git hook).
const REPO_SELECTING_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_PREFIX', 'GIT_OBJECT_DIRECTORY', 'GIT_NAMESPACE'];

/** The environment git children get: inherited, minus repo-selecting variables, no prompts, stable messages. */
export function gitEnvironment(extra?: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of REPO_SELECTING_ENV) delete env[name];
  env.GIT_TERMINAL_PROMPT = '0';
  env.LC_ALL = 'C';
  env.LANGUAGE = 'C';
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

const LOCK_HELD = /Unable to create '[^']*\.lock': File exists|cannot lock ref .*: Unable to create/;

export async function runGit(args: readonly string[], opts: GitOptions): Promise<GitOutput> {
  const retries = opts.lockRetries ?? 6;
  for (let attempt = 0; ; attempt++) {
    try {
      return await runGitOnce(args, opts);
    } catch (err) {
      if (!(err instanceof GitCommandError) || err.kind !== 'exit' || !LOCK_HELD.test(err.stderr) || attempt >= retries) throw err;
      // Another git holds the lock: back off exponentially with jitter (about 3 s in total).
      const delay = Math.min(1000, 40 * 2 ** attempt) * (0.75 + Math.random() / 2);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Runs git and returns stdout without its final newline. */
export async function git(args: readonly string[], opts: GitOptions): Promise<string> {
  const out = await runGit(args, opts);
  return out.stdout.endsWith('\n') ? out.stdout.slice(0, -1) : out.stdout;
}

function runGitOnce(args: readonly string[], opts: GitOptions): Promise<GitOutput> {
  const maxBuffer = opts.maxBuffer ?? 256 * 1024 * 1024;
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const okExitCodes = opts.okExitCodes ?? [];
  return new Promise((resolve, reject) => {
    let child;
    try {
      // No stdin pipe unless there is input: one pipe less per call (spawn latency matters in landings).
      const stdin = opts.input === undefined ? 'ignore' : 'pipe';
      child = spawn('git', args as string[], { cwd: opts.cwd, env: gitEnvironment(opts.env), stdio: [stdin, 'pipe', 'pipe'], windowsHide: true });
    } catch (err) {
      reject(new GitCommandError(args, 'spawn', null, '', (err as Error).message));
      return;
    }
    const out: Buffer[] = [];
    const errChunks: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let failure: GitCommandError | undefined;
    const timer = setTimeout(() => {
      failure = new GitCommandError(args, 'timeout', null, '', `timed out after ${timeoutMs} ms`);
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxBuffer) {
        failure ??= new GitCommandError(args, 'max-buffer', null, '', `output exceeded ${maxBuffer} bytes`);
        child.kill('SIGKILL');
        return;
      }
      out.push(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      // stderr is only used for messages; keep the first 64 KiB.
      if (errBytes < 65536) errChunks.push(chunk);
      errBytes += chunk.length;
    });
    child.on('error', (err) => {
      failure ??= new GitCommandError(args, 'spawn', null, '', err.message);
    });
    if (child.stdin) {
      child.stdin.on('error', () => {
        /* git may exit before reading stdin; its exit code tells the story */
      });
      child.stdin.end(opts.input);
    }
    child.on('close', (code) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(errChunks).toString('utf8');
      if (failure) return reject(failure);
      const exitCode = code ?? -1;
      if (exitCode !== 0 && !okExitCodes.includes(exitCode)) {
        return reject(new GitCommandError(args, 'exit', exitCode, stderr, `${firstMessageLine(stderr) || 'no message'} (exit ${exitCode})`));
      }
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr, exitCode });
    });
  });
}

/** The most telling line of git's stderr: the first fatal/error line, else the first non-empty one. */
export function firstMessageLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^(fatal|error):/.test(l)) ?? lines[0] ?? '';
}

function summarizeArgs(args: readonly string[]): string {
  const shown = args.slice(0, 4).map((a) => (a.length > 60 ? `${a.slice(0, 57)}...` : a));
  return shown.join(' ') + (args.length > 4 ? ' ...' : '');
}
