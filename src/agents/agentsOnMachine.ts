// Which coding agents are installed on this machine: their command-line programs on PATH. Used to
// pre-select the agents whose hooks to install (VS Code's own agent needs no program: it is there
// whenever VS Code is).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentName } from '../core/model';

/** The programs each agent installs. */
export const AGENT_PROGRAMS: Partial<Record<AgentName, readonly string[]>> = {
  claude: ['claude'],
  codex: ['codex'],
  gemini: ['gemini'],
  copilot: ['copilot'],
  cursor: ['cursor-agent', 'cursor'],
  cline: ['cline'],
  windsurf: ['windsurf'],
};

/** Agents with a program on `PATH` (each program looked up once; nothing is run). */
export function agentsOnPath(envPath = process.env.PATH ?? '', platform = process.platform): AgentName[] {
  const dirs = envPath.split(path.delimiter).filter(Boolean);
  const exts = platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  const found = (program: string) =>
    dirs.some((d) =>
      exts.some((ext) => {
        try {
          const st = fs.statSync(path.join(d, program + ext));
          return st.isFile() && (platform === 'win32' || (st.mode & 0o111) !== 0);
        } catch {
          return false;
        }
      }),
    );
  return (Object.entries(AGENT_PROGRAMS) as [AgentName, readonly string[]][]).filter(([, programs]) => programs.some(found)).map(([a]) => a);
}
