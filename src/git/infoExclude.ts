// Lockstep's lines in `<common>/info/exclude`: files Lockstep writes into a checkout that are nobody's
// work (an agent's hook settings in a task worktree, Claude Code's local settings holding the MCP
// server's pre-approval), kept out of commits and out of the unleased edits. The file is the
// repository's own, shared by its worktrees and never committed; only Lockstep's lines are touched.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runGit } from './gitRunner';

const HEADER = '# lockstep: agent settings Lockstep wrote (hook settings of task worktrees, MCP server approvals)';

function excludeFile(commonDir: string): string {
  return path.join(commonDir, 'info', 'exclude');
}

/** Appends a pattern once. */
export function addExclude(commonDir: string, pattern: string): void {
  const file = excludeFile(commonDir);
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }
  if (text.split('\n').includes(pattern)) return;
  const prefix = text === '' || text.endsWith('\n') ? '' : '\n';
  const header = text.includes('# lockstep:') ? '' : `${HEADER}\n`;
  fs.appendFileSync(file, `${prefix}${header}${pattern}\n`);
}

/** Removes a pattern addExclude wrote (the header goes with Lockstep's last line). */
export function removeExclude(commonDir: string, pattern: string): boolean {
  const file = excludeFile(commonDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  const lines = text.split('\n');
  const at = lines.indexOf(pattern);
  if (at < 0) return false;
  lines.splice(at, 1);
  const h = lines.indexOf(HEADER);
  if (h >= 0 && (h + 1 >= lines.length || lines[h + 1] === '')) lines.splice(h, 1);
  fs.writeFileSync(file, lines.join('\n'));
  return true;
}

/** The exclude pattern of a file (a path relative to the worktree, anchored, glob characters escaped). */
export function excludePattern(worktree: string, file: string): string {
  const rel = path.relative(worktree, file).split(path.sep).join('/');
  return `/${rel.replace(/([*?[\\!#])/g, '\\$1')}`;
}

/** Whether git tracks the file, or already ignores it (then there is nothing to hide). */
export async function trackedOrIgnored(worktree: string, file: string): Promise<boolean> {
  const rel = path.relative(worktree, file).split(path.sep).join('/');
  if ((await runGit(['ls-files', '--error-unmatch', '--', rel], { cwd: worktree, okExitCodes: [1] })).exitCode === 0) return true;
  return (await runGit(['check-ignore', '-q', '--', rel], { cwd: worktree, okExitCodes: [1] })).exitCode === 0;
}
