// Makes sure the agent working in a task's worktree calls `lockstep hook`, without dirtying the
// worktree: Claude gets its local settings file (.claude/settings.local.json); other agents get their
// project file. A file git does not track is hidden through `<common>/info/exclude`; a tracked one is
// marked skip-worktree in that worktree, so the task's commits never carry Lockstep's entries.
// The main checkout (read-only tasks) is the user's: a tracked file there is never changed nor marked
// skip-worktree (the user's own later edits to it would vanish from git status); the agent's hooks
// must then come from its user settings, and the start's note says so.
// Committed mcp_tool hooks (`hooks install --agent claude` with Claude Code 2.1.328+) call the
// .mcp.json lockstep server, which Claude Code asks about once per checkout: a task's worktree gets
// the pre-approval `hooks install` wrote in the main checkout (claudeMcpPreapproval.ts), hidden from
// git like the hook files, so an agent started in a terminal there does not stop on the question.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { HookInstallError, hookPlanFor, installHooks, isLockstepHookCommand } from '../agents/hookInstall';
import { claudeMcpApproval } from '../agents/install/claudeMcpApproval';
import { claudeLocalSettingsPath, preapproveLockstepServer } from '../agents/install/claudeMcpPreapproval';
import { hasLockstepMcpToolHooks } from '../agents/install/claudeTransportChoice';
import { LOCKSTEP_MCP_SERVER } from '../agents/install/mcpToolHook';
import type { AgentName } from '../core/model';
import { runGit } from '../git/gitRunner';
import { addExclude, excludePattern } from '../git/infoExclude';
import type { RemoveWorktreeOptions } from '../git/worktrees';

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

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether JSON settings text holds Lockstep's hook; undefined when the text is not JSON. */
function jsonHasHook(text: string): boolean | undefined {
  try {
    return hasLockstepHook(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function fileHasHook(file: string): boolean {
  const text = readText(file);
  return text !== undefined && jsonHasHook(text) === true;
}

/** Claude's local settings holding nothing but Lockstep's pre-approval of its MCP server. */
function onlyMcpApproval(text: string): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(text), { enabledMcpjsonServers: [LOCKSTEP_MCP_SERVER] });
  } catch {
    return false;
  }
}

/** A file that holds only what Lockstep installed in a task worktree: an agent's hook settings, Cline hook script or the MCP server's pre-approval. */
export function isTaskHookFile(file: string): boolean {
  const text = readText(file);
  if (text === undefined) return false;
  if (onlyMcpApproval(text)) return true;
  return jsonHasHook(text) ?? (text.startsWith('#!') && text.split('\n').some((line) => isLockstepHookCommand(line.trim())));
}

/** Pre-approves the lockstep server in a checkout whose hooks are mcp_tool ones, unless Claude Code was already told; a note when it did. */
async function approveMcpServer(worktree: string, commonDir: string, hooksFile: string, mainCheckout: boolean | undefined): Promise<string | undefined> {
  const local = claudeLocalSettingsPath(worktree);
  if (!hasLockstepMcpToolHooks(hooksFile) || claudeMcpApproval(worktree).approval !== 'pending') return undefined;
  if (mainCheckout && (await isTracked(worktree, local))) return undefined;
  try {
    preapproveLockstepServer(worktree);
  } catch (e) {
    if (e instanceof HookInstallError) return `the lockstep MCP server was not pre-approved (${e.message}): Claude Code asks once before the first edit`;
    throw e;
  }
  await hideFromGit(worktree, commonDir, local);
  return `pre-approved the lockstep MCP server in ${path.relative(worktree, local)}`;
}

/** A task worktree goes with the hook settings Lockstep put there (ignored files, never work). */
export const REMOVE_TASK_WORKTREE: RemoveWorktreeOptions = { disposable: (_key, file) => isTaskHookFile(file) };

/**
 * Installs the hook into the worktree unless it is already there. `mainCheckout`: the folder is the
 * user's checkout, where tracked files are left alone.
 */
export async function ensureTaskHooks(opts: { agent: AgentName; worktree: string; commonDir: string; command: string; mainCheckout?: boolean }): Promise<TaskHooksResult> {
  const { agent, worktree, commonDir, command } = opts;
  if (agent === 'claude') {
    const shared = path.join(worktree, '.claude', 'settings.json');
    const local = path.join(worktree, '.claude', 'settings.local.json');
    for (const f of [shared, local]) {
      if (!fileHasHook(f)) continue;
      const approved = await approveMcpServer(worktree, commonDir, f, opts.mainCheckout);
      return { file: f, note: `hooks already in ${path.relative(worktree, f)}${approved ? `; ${approved}` : ''}` };
    }
    if (opts.mainCheckout && (await isTracked(worktree, local))) return leftAlone(agent, worktree, local, command);
    installHooks({ agent, scope: 'project', repoRoot: worktree, command, file: local });
    await hideFromGit(worktree, commonDir, local);
    return { file: local, note: `installed claude hooks in ${path.relative(worktree, local)}` };
  }
  const plan = hookPlanFor({ agent, scope: 'project', repoRoot: worktree, command });
  const target = plan.kind === 'json' ? plan.file : plan.dir;
  const present = plan.kind === 'json' ? fileHasHook(plan.file) : fs.existsSync(path.join(plan.dir, plan.events[0]));
  if (present) return { file: target, note: `hooks already in ${path.relative(worktree, target)}` };
  if (opts.mainCheckout) {
    const files = plan.kind === 'json' ? [plan.file] : plan.events.map((e) => path.join(plan.dir, e));
    for (const f of files) if (await isTracked(worktree, f)) return leftAlone(agent, worktree, f, command);
  }
  installHooks({ agent, scope: 'project', repoRoot: worktree, command });
  if (plan.kind === 'json') await hideFromGit(worktree, commonDir, plan.file);
  else for (const e of plan.events) await hideFromGit(worktree, commonDir, path.join(plan.dir, e));
  return { file: target, note: `installed ${agent} hooks in ${path.relative(worktree, target)}` };
}

async function isTracked(worktree: string, file: string): Promise<boolean> {
  const rel = path.relative(worktree, file).split(path.sep).join('/');
  return (await runGit(['ls-files', '--error-unmatch', '--', rel], { cwd: worktree, okExitCodes: [1] })).exitCode === 0;
}

// The agent's hook file in the main checkout is tracked: it stays as it is. Its user settings may have the hook.
function leftAlone(agent: AgentName, worktree: string, file: string, command: string): TaskHooksResult {
  const rel = path.relative(worktree, file);
  let user: string | undefined;
  try {
    const plan = hookPlanFor({ agent, scope: 'user', repoRoot: worktree, command });
    const has = plan.kind === 'json' ? fileHasHook(plan.file) : fs.existsSync(path.join(plan.dir, plan.events[0]!));
    if (has) return { file: plan.kind === 'json' ? plan.file : plan.dir, note: `hooks already in the user settings ${plan.kind === 'json' ? plan.file : plan.dir} (${rel} is tracked and was left as it is)` };
    user = `lockstep hooks install --agent ${agent} --scope user`;
  } catch (e) {
    if (!(e instanceof HookInstallError)) throw e;
  }
  const fix = user ? `install them with \`${user}\`` : `commit them into ${rel} (\`lockstep hooks install --agent ${agent} --scope project\`)`;
  return { file, note: `${rel} is tracked in this checkout, so Lockstep left it as it is: ${agent}'s hooks must be installed for the read-only rule to be enforced; ${fix}` };
}

async function hideFromGit(worktree: string, commonDir: string, file: string): Promise<void> {
  const rel = path.relative(worktree, file).split(path.sep).join('/');
  if (await isTracked(worktree, file)) {
    await runGit(['update-index', '--skip-worktree', '--', rel], { cwd: worktree });
    return;
  }
  addExclude(commonDir, excludePattern(worktree, file));
}
