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
}

export interface AgentExit {
  /** null when killed by a signal or when the launcher could not tell. */
  exitCode: number | null;
  signal?: string;
}

export interface LaunchedAgent {
  /** The agent's own process id, when the launcher knows it. */
  readonly pid?: number;
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
