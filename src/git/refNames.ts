// Names Lockstep puts into git: task ids, task branches, and the refs the landing engine owns.
import { GitCommandError, runGit } from './gitRunner';

/** Task ids: ASCII letters, digits, '.', '_', '-'; start with a letter or digit; at most 64 characters. */
export const TASK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const TASK_BRANCH_PREFIX = 'lockstep/';
/** Landing records: refs/lockstep/landings/<n> -> a commit with parents [target before, target after]. */
export const LANDING_RECORD_PREFIX = 'refs/lockstep/landings/';
/** Undone landing records are moved here (kept for history). */
export const UNDONE_RECORD_PREFIX = 'refs/lockstep/undone/';
/** Temporary refs that keep candidates alive during a landing; cleanup removes them. */
export const LANDING_TMP_PREFIX = 'refs/lockstep/tmp/';

export class InvalidNameError extends Error {
  override readonly name = 'InvalidNameError';
}

/** Returns the id when valid, else throws a one-line error naming the field. */
export function validateTaskId(id: unknown, field = 'taskId'): string {
  if (typeof id !== 'string' || !TASK_ID_PATTERN.test(id) || id.includes('..') || id.endsWith('.lock') || id.endsWith('.')) {
    throw new InvalidNameError(`${field}: ${JSON.stringify(id)} is not a valid task id (letters, digits, '.', '_', '-'; no '..'; at most 64 characters)`);
  }
  return id;
}

export function taskBranchName(taskId: string): string {
  return TASK_BRANCH_PREFIX + validateTaskId(taskId);
}

/**
 * Branch-name rules of `git check-ref-format --branch`, checked without spawning git (the landing
 * engine validates many names). Returns the reason a name is invalid, or undefined when it is valid.
 */
export function branchNameProblem(name: string): string | undefined {
  if (name === '' || name === '@') return 'is empty or "@"';
  if (name.startsWith('-')) return "starts with '-'";
  if (name.startsWith('refs/')) return "starts with 'refs/' (give the short branch name)";
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return 'contains a space, control character or one of ~ ^ : ? * [ \\';
  if (name.includes('..')) return "contains '..'";
  if (name.includes('@{')) return "contains '@{'";
  if (name.includes('//') || name.startsWith('/') || name.endsWith('/')) return "has an empty path component";
  if (name.endsWith('.')) return "ends with '.'";
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return "has a component starting with '.'";
    if (part.endsWith('.lock')) return "has a component ending with '.lock'";
  }
  return undefined;
}

/** Returns `branch` when it is a valid short branch name, else throws a one-line error naming the field. */
export function assertBranchName(branch: unknown, field = 'branch'): string {
  const problem = typeof branch === 'string' ? branchNameProblem(branch) : 'is not a string';
  if (problem) throw new InvalidNameError(`${field}: ${JSON.stringify(branch)} is not a valid branch name (${problem})`);
  return branch as string;
}

/** Validates a short branch name with `git check-ref-format --branch`; returns it unchanged. */
export async function validateBranchName(repoDir: string, branch: unknown, field = 'branch'): Promise<string> {
  assertBranchName(branch, field);
  try {
    const out = await runGit(['check-ref-format', '--branch', branch as string], { cwd: repoDir });
    // `--branch` expands @{-1} style names; a name that expands to something else is not literal.
    if (out.stdout.trim() !== branch) throw new InvalidNameError(`${field}: ${JSON.stringify(branch)} is not a literal branch name`);
  } catch (err) {
    if (err instanceof GitCommandError) throw new InvalidNameError(`${field}: ${JSON.stringify(branch)} is not a valid branch name`);
    throw err;
  }
  return branch as string;
}
