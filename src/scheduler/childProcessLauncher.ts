// The headless launcher: the agent runs as a child process, its output appended to
// `<common>/lockstep/logs/<task>.log`. On POSIX it is started through a fixed two-word shell program
// (`exec "$@"`, the argv passed as positional arguments, never parsed) so that LOCKSTEP_AGENT_PID can be
// the agent's own pid: the shell's pid becomes the agent's when it execs.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { terminateProcess, type AgentExit, type AgentLauncher, type LaunchedAgent, type LaunchRequest } from './agentLauncher';

/** The whole shell program: export our own pid, then become the agent. No plan text reaches it. */
const EXEC_WITH_OWN_PID = 'LOCKSTEP_AGENT_PID=$$; export LOCKSTEP_AGENT_PID; exec "$@"';

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
      const posix = process.platform !== 'win32';
      const [cmd, args] = posix ? ['/bin/sh', ['-c', EXEC_WITH_OWN_PID, 'lockstep-agent', program, ...req.argv.slice(1)]] : [program, req.argv.slice(1)];
      const child = spawn(cmd, args, {
        cwd: req.cwd,
        env: req.env,
        stdio: ['ignore', fd, fd],
        // Own process group: stop() ends the agent and whatever it started.
        detached: posix || this.opts.detached === true,
        windowsHide: true,
      });
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
