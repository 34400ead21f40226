// The headless launcher: the agent runs as a child process, its output appended to
// `<common>/lockstep/logs/<task>.log`. On POSIX it runs under a supervisor (agentSupervisor.ts): a tiny
// node process that starts the agent through a fixed two-word shell program (`exec "$@"`, the argv passed
// as positional arguments, never parsed) so that LOCKSTEP_AGENT_PID is the agent's own pid, waits for it,
// and writes its exit status to the task's status file, whether or not this process still runs.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { terminateProcess, type AgentExit, type AgentLauncher, type LaunchedAgent, type LaunchRequest } from './agentLauncher';
import { SUPERVISOR_PROGRAM, readExitRecord, removeExitRecord } from './agentSupervisor';

export interface ChildProcessLauncherOptions {
  /** Let the agent outlive this process (`lockstep task start` returns while the agent works). */
  detached?: boolean;
}

export class ChildProcessLauncher implements AgentLauncher {
  readonly mode = 'headless' as const;
  readonly setsAgentPid = process.platform !== 'win32';

  constructor(private readonly opts: ChildProcessLauncherOptions = {}) {}

  async launch(req: LaunchRequest): Promise<LaunchedAgent> {
    const program = findProgram(req.argv[0], req.env.PATH ?? '', req.cwd);
    if (!program) throw new Error(`cannot start the agent: program '${req.argv[0]}' was not found (PATH or path relative to ${req.cwd})`);
    fs.mkdirSync(path.dirname(req.logFile), { recursive: true });
    const fd = fs.openSync(req.logFile, 'a');
    try {
      fs.writeSync(fd, `--- ${new Date().toISOString()} lockstep: task ${req.task}: ${JSON.stringify(req.argv)} in ${req.cwd}\n`);
      if (process.platform !== 'win32') return await this.launchSupervised(req, program, fd);
      const child = spawn(program, req.argv.slice(1), { cwd: req.cwd, env: req.env, stdio: ['ignore', fd, fd], detached: this.opts.detached === true, windowsHide: true });
      const exited = new Promise<AgentExit>((resolve) => {
        child.once('exit', (code, signal) => {
          appendLine(req.logFile, `--- ${new Date().toISOString()} lockstep: task ${req.task}: agent exited (${signal ? `signal ${signal}` : `code ${code}`})`);
          resolve({ exitCode: code, ...(signal ? { signal } : {}) });
        });
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', (e) => reject(new Error(`cannot start the agent '${req.argv[0]}': ${e.message}`)));
      });
      if (this.opts.detached) child.unref();
      const pid = child.pid!;
      return { pid, exited, stop: () => terminateProcess(pid, exited) };
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Starts the supervisor, which starts the agent and says its pid (one line on a pipe, then closed). */
  private async launchSupervised(req: LaunchRequest, program: string, logFd: number): Promise<LaunchedAgent> {
    removeExitRecord(req.statusFile);
    fs.mkdirSync(path.dirname(req.statusFile), { recursive: true });
    const supervisor = spawn(process.execPath, ['-e', SUPERVISOR_PROGRAM, '--', req.statusFile, String(req.run), program, ...req.argv.slice(1)], {
      cwd: req.cwd,
      env: req.env,
      stdio: ['ignore', 'pipe', logFd],
      // Own session and process group: a Ctrl-C or a closed terminal of the CLI does not reach it.
      detached: true,
    });
    const exited = new Promise<AgentExit>((resolve) => {
      supervisor.once('exit', (code, signal) => {
        const r = readExitRecord(req.statusFile, req.run);
        if (r) resolve({ exitCode: r.exitCode, ...(r.signal ? { signal: r.signal } : {}) });
        else resolve({ exitCode: null, unknown: `its supervisor (pid ${supervisor.pid}) ended (${signal ?? `code ${code}`}) without recording how the agent ended` });
      });
    });
    const hello = await new Promise<{ pid?: number; error?: string }>((resolve) => {
      let buf = '';
      supervisor.stdout!.setEncoding('utf8');
      supervisor.stdout!.on('data', (c: string) => {
        buf += c;
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        try {
          resolve(JSON.parse(buf.slice(0, nl)) as { pid?: number; error?: string });
        } catch {
          resolve({ error: `unreadable answer from its supervisor: ${buf.slice(0, nl).slice(0, 200)}` });
        }
      });
      supervisor.once('error', (e) => resolve({ error: `cannot start its supervisor: ${e.message}` }));
      supervisor.once('close', () => resolve({ error: 'its supervisor ended before starting it' }));
    });
    supervisor.stdout!.destroy();
    if (hello.error !== undefined || typeof hello.pid !== 'number') throw new Error(`cannot start the agent '${req.argv[0]}': ${hello.error ?? 'no pid'}`);
    if (this.opts.detached) supervisor.unref();
    const pid = hello.pid;
    return { pid, ...(supervisor.pid !== undefined ? { supervisorPid: supervisor.pid } : {}), exited, stop: () => terminateProcess(pid, exited) };
  }
}

function appendLine(file: string, line: string): void {
  try {
    fs.appendFileSync(file, line + '\n');
  } catch {
    /* the log is a convenience */
  }
}

/** Absolute path of an executable program: a path (relative to cwd) or a name found on PATH. */
export function findProgram(name: string | undefined, pathVar: string, cwd: string): string | undefined {
  if (!name) return undefined;
  const executable = (p: string) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (name.includes('/') || name.includes(path.sep)) {
    const abs = path.resolve(cwd, name);
    return executable(abs) ? abs : undefined;
  }
  const exts = process.platform === 'win32' ? ['', '.exe', '.cmd', '.bat'] : [''];
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (executable(candidate)) return candidate;
    }
  }
  return undefined;
}
