// Makes sure the agent working in a task's worktree calls `lockstep hook`, without dirtying the
// worktree: Claude gets its local settings file (.claude/settings.local.json); other agents get their
// project file. A file git does not track is hidden through `<common>/info/exclude`; a tracked one is
// marked skip-worktree in that worktree, so the task's commits never carry Lockstep's entries.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hookPlanFor, installHooks, isLockstepHookCommand } from '../agents/hookInstall';
import type { AgentName } from '../core/model';
import { runGit } from '../git/gitRunner';

export interface TaskHooksResult {
  /** The configuration file (or Cline's hooks folder) that has the hook. */
  file: string;
  /** What was done, for the start's notes. */
  note: string;
}

function hasLockstepHook(value: unknown): boolean {
  if (typeof value === 'string') return isLockstepHookCommand(value);
  if (Array.isArray(value)) return value.some(hasLockstepHook);
  if (value && typeof value === 'object') return Object.values(value).some(hasLockstepHook);
  return false;
}

function fileHasHook(file: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  try {
    return hasLockstepHook(JSON.parse(text));
  } catch {
    return false;
  }
}

/** Installs the hook into the worktree unless it is already there. */
export async function ensureTaskHooks(opts: { agent: AgentName; worktree: string; commonDir: string; command: string }): Promise<TaskHooksResult> {
  const { agent, worktree, commonDir, command } = opts;
  if (agent === 'claude') {
    const shared = path.join(worktree, '.claude', 'settings.json');
    const local = path.join(worktree, '.claude', 'settings.local.json');
    for (const f of [shared, local]) if (fileHasHook(f)) return { file: f, note: `hooks already in ${path.relative(worktree, f)}` };
    installHooks({ agent, scope: 'project', repoRoot: worktree, command, file: local });
    await hideFromGit(worktree, commonDir, local);
    return { file: local, note: `installed claude hooks in ${path.relative(worktree, local)}` };
  }
  const plan = hookPlanFor({ agent, scope: 'project', repoRoot: worktree, command });
  const target = plan.kind === 'json' ? plan.file : plan.dir;
  const present = plan.kind === 'json' ? fileHasHook(plan.file) : fs.existsSync(path.join(plan.dir, plan.events[0]));
  if (present) return { file: target, note: `hooks already in ${path.relative(worktree, target)}` };
  installHooks({ agent, scope: 'project', repoRoot: worktree, command });
  if (plan.kind === 'json') await hideFromGit(worktree, commonDir, plan.file);
  else for (const e of plan.events) await hideFromGit(worktree, commonDir, path.join(plan.dir, e));
  return { file: target, note: `installed ${agent} hooks in ${path.relative(worktree, target)}` };
}

async function hideFromGit(worktree: string, commonDir: string, file: string): Promise<void> {
  const rel = path.relative(worktree, file).split(path.sep).join('/');
  const tracked = await runGit(['ls-files', '--error-unmatch', '--', rel], { cwd: worktree, okExitCodes: [1] });
  if (tracked.exitCode === 0) {
    await runGit(['update-index', '--skip-worktree', '--', rel], { cwd: worktree });
    return;
  }
  addExclude(commonDir, `/${rel.replace(/([*?[\\!#])/g, '\\$1')}`);
}

/** Appends a pattern to `<common>/info/exclude` once. */
export function addExclude(commonDir: string, pattern: string): void {
  const file = path.join(commonDir, 'info', 'exclude');
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }
  if (text.split('\n').includes(pattern)) return;
  const prefix = text === '' || text.endsWith('\n') ? '' : '\n';
  const header = text.includes('# lockstep:') ? '' : '# lockstep: agent hook settings of task worktrees\n';
  fs.appendFileSync(file, `${prefix}${header}${pattern}\n`);
}
