// Whether a CLI call comes from inside a coding agent (its shell tool, or a task the scheduler
// launched) rather than from a person. Overrides meant for people (`lockstep release --force`) are
// refused to agents. A best effort against careless or confused agents, not against a hostile one:
// code running as the same user can always clear these traces (see the README's threat model).
import * as path from 'node:path';
import { processReader } from '../process/processTable';

/** Variables agents set in the environment of the commands they run, and the scheduler's own. */
const AGENT_ENV = ['LOCKSTEP_SESSION', 'LOCKSTEP_AGENT_PID', 'CLAUDECODE', 'CLAUDE_CODE_ENTRYPOINT', 'GEMINI_CLI', 'CODEX_SANDBOX', 'CODEX_SANDBOX_NETWORK_DISABLED', 'CURSOR_AGENT'];
/** Program names of agent processes (the executable, or the script node runs). */
const AGENT_PROGRAMS = new Set(['claude', 'codex', 'gemini', 'copilot', 'cursor-agent', 'cline']);
const MAX_ANCESTRY = 64;

function programName(p: string): string {
  return path.basename(p).replace(/\.(exe|js|mjs|cjs)$/i, '');
}

/** The agent the caller runs inside (a variable or program name), or undefined for a person's call. */
export function callingAgent(env: NodeJS.ProcessEnv = process.env, startPid = process.pid): string | undefined {
  const set = AGENT_ENV.find((v) => env[v] !== undefined && env[v] !== '');
  if (set) return `${set} is set`;
  const read = processReader();
  let pid = startPid;
  for (let depth = 0; depth < MAX_ANCESTRY && pid > 1; depth++) {
    const info = read(pid);
    if (!info) return undefined;
    const names = [info.comm, info.argv[0] ?? '', info.argv[1] ?? ''].map(programName);
    const agent = names.find((n) => AGENT_PROGRAMS.has(n));
    if (agent) return `run by ${agent} (pid ${info.pid})`;
    pid = info.ppid;
  }
  return undefined;
}
