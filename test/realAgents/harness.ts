// Runs a real agent CLI on a real repository with Lockstep's hooks installed by the real
// `lockstep hooks install`, against the scripted model endpoint. Each run gets its own temporary
// home folder (HOME, XDG_*, CODEX_HOME, COPILOT_HOME), so the user's own configuration is never read
// or touched, and its own model server, so two runs at once follow their own scenarios.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { baseEnv, DRIVERS, type AgentHome, type RealAgentName } from './agents';
import { startModelServer, type ModelServer, type Turn } from './modelServer';

export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface AgentRun {
  agent: RealAgentName;
  server: ModelServer;
  home: string;
  child: ChildProcess;
  exited: Promise<AgentExit>;
  /** kill -9 of the agent and every process it started (its process group), as when it crashes. */
  kill9(): void;
  /** In a conversation (Claude only): the user's next message, and the end of the conversation. */
  say(text: string): void;
  endConversation(): void;
  /** What the agent printed so far. */
  stdout(): string;
}

export interface RealAgentWorld {
  repo: TempRepo;
  /** Runs the built lockstep CLI in the repository; throws with its stderr on a non-zero exit. */
  lockstep(args: string[], opts?: { env?: NodeJS.ProcessEnv; allowFail?: boolean }): { stdout: string; stderr: string; status: number | null };
  /** `lockstep status --json`. */
  status(env?: NodeJS.ProcessEnv): StatusJson;
  /** Starts the agent on one prompt with the model following `turns`. */
  start(agent: RealAgentName, turns: Turn[], opts?: RunOptions): Promise<AgentRun>;
  /** Starts and waits for a clean exit (throws with the agent's output otherwise). */
  run(agent: RealAgentName, turns: Turn[], opts?: RunOptions): Promise<AgentRun & { exit: AgentExit }>;
  cleanup(): Promise<void>;
}

export interface RunOptions {
  prompt?: string;
  permissionMode?: 'default';
  /** Claude only: user messages come through run.say(); the session lives until run.endConversation(). */
  conversation?: boolean;
  /** Extra environment for the agent (and so for the hooks it runs). */
  env?: NodeJS.ProcessEnv;
  /**
   * Claude only: an interactive session in a pseudo-terminal (util-linux `script`), as a user starts
   * it, where a pending question (an MCP server to approve, say) stops the session on its screen.
   * stdout() is the terminal's output. End it with kill9().
   */
  tty?: boolean;
  /** Rewrites the driver's command-line arguments (e.g. to leave out Copilot's --trust-folder). */
  args?: (args: string[]) => string[];
  /** How long the scripted model takes to answer each main-loop request (default 0: at once). */
  modelThinkMs?: number;
  /** Called after the driver wrote its config, before the agent starts. */
  beforeStart?: (h: AgentHome) => void;
}

export interface StatusJson {
  sessions: Array<{ id: string; agent: string; endedAt?: number; liveness?: { state: string } }>;
  /** inForce false: the table still lists it, but its holder is dead or ended (free for the next session). */
  leases: Array<{ key: string; session: string; inForce: boolean }>;
  edits: Array<{ key: string; session: string; tool?: string; source?: string }>;
  unleased: Array<{ key: string; editedBy: string[] }>;
}

/** A repository with `lockstep hooks install --agent A` done for each agent named. */
export function makeRealAgentWorld(opts: {
  hooksFor: RealAgentName[];
  hookScope?: 'project' | 'user';
  files?: Record<string, string>;
  /** `lockstep hooks install --command` */
  hookCommand?: string;
  /** `lockstep hooks install --transport`; without it, the install's default (Claude Code: mcp when a claude 2.1.328+ is on PATH). */
  hookTransport?: 'command' | 'mcp';
  /** Environment of `lockstep hooks install` beyond HOME (e.g. a PATH with claude on it). */
  installEnv?: NodeJS.ProcessEnv;
  /** The Lockstep (a cli.js) that runs `hooks install`, and so the one the launcher points at (default: this checkout's dist/cli.js). */
  installWith?: string;
}): RealAgentWorld {
  ensureBuilt();
  const repo = makeTempRepo({ prefix: 'lockstep-real-', files: opts.files });
  const base = path.dirname(repo.root);
  const runs: AgentRun[] = [];
  let homes = 0;

  const lockstep: RealAgentWorld['lockstep'] = (args, o = {}) => {
    const r = runCli(args, { cwd: repo.root, env: { LOCKSTEP_SESSION: '', ...o.env } });
    if (r.status !== 0 && !o.allowFail) throw new Error(`lockstep ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return { stdout: r.stdout, stderr: r.stderr, status: r.status };
  };

  const hooksHome = path.join(base, 'hooks-home');
  fs.mkdirSync(hooksHome);
  for (const agent of opts.hooksFor) {
    const command = [...(opts.hookCommand ? ['--command', opts.hookCommand] : []), ...(opts.hookTransport ? ['--transport', opts.hookTransport] : [])];
    const args = ['hooks', 'install', '--agent', agent, '--scope', opts.hookScope ?? 'project', ...command];
    if (!opts.installWith) lockstep(args, { env: { ...opts.installEnv, HOME: hooksHome } });
    else {
      const r = spawnSync(process.execPath, [opts.installWith, ...args], { cwd: repo.root, encoding: 'utf8', env: { ...process.env, ...opts.installEnv, LOCKSTEP_SESSION: '', HOME: hooksHome } });
      if (r.status !== 0) throw new Error(`${opts.installWith} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    }
  }
  // The hooks install writes config into the repository; commit it so it is not "unleased work".
  if (repo.git('status', '--porcelain')) repo.commitAll('agent hooks');

  const start: RealAgentWorld['start'] = async (agent, turns, o = {}) => {
    const driver = DRIVERS[agent];
    const home = path.join(base, `home-${agent}-${++homes}`);
    fs.mkdirSync(home);
    // The install went into the hooks home (user-scope files, and always the launcher ~/.lockstep that
    // every installed hook runs): each run's home gets a copy, as if it were the user's.
    fs.cpSync(hooksHome, home, { recursive: true });
    const server = await startModelServer(turns, { log: process.env.LOCKSTEP_REAL_AGENTS_DEBUG ? (l) => process.stderr.write(`[model ${agent}] ${l}\n`) : undefined, thinkMs: o.modelThinkMs });
    const h: AgentHome = { home, cwd: repo.root, modelUrl: server.url };
    await driver.prepare(h);
    o.beforeStart?.(h);
    const cmd = driver.command(o.prompt ?? 'Make the edit.', h, { permissionMode: o.permissionMode, conversation: o.conversation, tty: o.tty });
    const args = o.args ? o.args(cmd.args) : cmd.args;
    const env = { ...baseEnv(h), ...driver.env(h), ...(o.tty ? { TERM: 'xterm-256color' } : {}), ...o.env };
    // script(1) runs the command in a new pseudo-terminal: -q quiet, -f flush, -e its exit code, -c the command line.
    const [file, argv] = o.tty ? ['script', ['-qfec', [cmd.file, ...args].map(shellQuote).join(' '), '/dev/null']] : [cmd.file, args];
    const child = spawn(file, argv, { cwd: repo.root, env, stdio: [o.conversation || o.tty ? 'pipe' : 'ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    if (process.env.LOCKSTEP_REAL_AGENTS_DEBUG) child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[${agent}] ${d.toString('utf8')}`));
    const exited = new Promise<AgentExit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
    const run: AgentRun = {
      agent,
      server,
      home,
      child,
      exited,
      kill9() {
        // In a terminal the agent leads a session of its own under script: its processes are found by parent id.
        const pids = o.tty ? descendants(child.pid!) : [];
        for (const pid of [-child.pid!, ...pids]) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
      },
      say(text) {
        child.stdin!.write(`${JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'text', text }] } })}\n`);
      },
      endConversation() {
        child.stdin!.end();
      },
      stdout: () => stdout,
    };
    runs.push(run);
    return run;
  };

  return {
    repo,
    lockstep,
    status(env) {
      return JSON.parse(lockstep(['status', '--json'], { env }).stdout) as StatusJson;
    },
    start,
    async run(agent, turns, o) {
      const r = await start(agent, turns, o);
      const exit = await withTimeout(r.exited, 90_000, () => `${agent} did not finish within 90 s`, () => r.kill9());
      if (exit.code !== 0) throw new Error(`${agent} exited ${exit.code ?? exit.signal}\nstdout: ${exit.stdout.slice(-2000)}\nstderr: ${exit.stderr.slice(-4000)}`);
      return { ...r, exit };
    },
    async cleanup() {
      for (const r of runs) {
        r.kill9();
        await r.server.close();
      }
      repo.cleanup();
    },
  };
}

const shellQuote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;

/** Every process below `pid` (by the parent ids in /proc), children first found first. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent id follows the command's closing parenthesis: "pid (comm) state ppid ...".
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* gone meanwhile */
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) for (const c of parents.get(queue.shift()!) ?? []) out.push(c), queue.push(c);
  return out;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: () => string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          onTimeout();
          reject(new Error(what()));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves when `check` holds, polling (the agents' hooks run in their own processes). */
export async function waitUntil(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A promise and its resolve, for holding a model reply until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}
