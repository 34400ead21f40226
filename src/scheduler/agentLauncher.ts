// How the scheduler starts an agent process, whatever runs it: a child process (headless, `lockstep
// run`) or a VS Code terminal the extension opens (coordinator). The scheduler only needs a pid when
// one is known, a way to stop it, and to hear when it exits.

export interface LaunchRequest {
  task: string;
  /** Folder the agent runs in: the task's worktree, or the main checkout for a read-only task. */
  cwd: string;
  /** Program and arguments; never interpreted by a shell. */
  argv: string[];
  /** The agent's whole environment (LOCKSTEP_TASK, LOCKSTEP_SESSION, PATH …). */
  env: Record<string, string>;
  /** Where the agent's output goes when the launcher captures it. */
  logFile: string;
  /** Where a launcher that supervises the agent writes how it ended (agentSupervisor.ts), for this run. */
  statusFile: string;
  /** The run (the task's startedAt) the status record belongs to. */
  run: number;
}

export interface AgentExit {
  /** null when killed by a signal or when the launcher could not tell. */
  exitCode: number | null;
  signal?: string;
  /** Why the status is unknown (exitCode null, no signal), e.g. its supervisor was killed. */
  unknown?: string;
}

/** What an agent's end means for its task: only a known clean exit (code 0) is finished. */
export function judgeExit(exit: AgentExit): { status: 'finished' } | { status: 'failed'; reason: string } {
  if (exit.exitCode === 0 && !exit.signal) return { status: 'finished' };
  if (exit.exitCode !== null) return { status: 'failed', reason: `agent exited with code ${exit.exitCode}` };
  if (exit.signal) return { status: 'failed', reason: `agent ended by ${exit.signal}` };
  return { status: 'failed', reason: `agent ended without a status${exit.unknown ? ` (${exit.unknown})` : ''}` };
}

export interface LaunchedAgent {
  /** The agent's own process id, when the launcher knows it. */
  readonly pid?: number;
  /** The process that waits for the agent and records its exit (agentSupervisor.ts), when there is one. */
  readonly supervisorPid?: number;
  /** Resolves once when the agent has exited. */
  readonly exited: Promise<AgentExit>;
  /** Asks the agent to stop (SIGTERM, then SIGKILL); resolves when it has exited or cannot be reached. */
  stop(): Promise<void>;
}

export interface AgentLauncher {
  /** Which built-in template fits: a person watches a terminal, or nobody does. */
  readonly mode: 'headless' | 'terminal';
  /** True when the launcher sets LOCKSTEP_AGENT_PID itself (the scheduler cannot know the pid beforehand). */
  readonly setsAgentPid: boolean;
  /** Starts the agent; rejects with a one-line reason when it cannot be started. */
  launch(request: LaunchRequest): Promise<LaunchedAgent>;
}

/** Stops a process group, then the process, by pid: SIGTERM, then SIGKILL after `graceMs`. */
export async function terminateProcess(pid: number, exited: Promise<unknown>, graceMs = 5000): Promise<void> {
  const send = (sig: NodeJS.Signals) => {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, sig);
        return;
      } catch {
        /* not a group leader, or already gone */
      }
    }
  };
  send('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((r) => {
    timer = setTimeout(() => r('late'), graceMs);
  });
  const first = await Promise.race([exited.then(() => 'done' as const), late]);
  if (timer) clearTimeout(timer);
  if (first === 'late') {
    send('SIGKILL');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
  }
}
