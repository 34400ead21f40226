// The plan (`.lockstep/plan.yaml`): what tasks exist, how they are ordered and which files each may write.
// This file holds the zod schema and the checks that need the whole plan (ids, dependencies, phases).
// Parsing text with line numbers and editing the YAML live in planFile.ts.
import * as path from 'node:path';
import * as z from './zodClassic';
import { asOwnRecord } from './ownRecord';

/** Task ids become branch names (`lockstep/<id>`) and file names, so they are restricted to a safe alphabet. */
export const TASK_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** Agent names used as keys under `agents:`. */
export const AGENT_KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;
/** Placeholders an agent template must contain as a whole argument. */
export const PROMPT_PLACEHOLDERS = ['{prompt}', '{promptFile}'] as const;
export type PromptPlaceholder = (typeof PROMPT_PLACEHOLDERS)[number];

/**
 * The placeholder a template argument is: the whole argument (`{prompt}`), or an option's value
 * joined to it (`--prompt={prompt}`, for CLIs whose prompt is an option's value: then a prompt
 * beginning with `-` cannot be read as another option). Undefined for anything else.
 */
export function promptPlaceholderOf(arg: string): { prefix: string; placeholder: PromptPlaceholder } | undefined {
  const m = /^(-[^=\s]*=)?(\{prompt\}|\{promptFile\})$/.exec(arg);
  return m ? { prefix: m[1] ?? '', placeholder: m[2] as PromptPlaceholder } : undefined;
}
/** Agents with a built-in launch template (registry); a task may name these without an `agents:` entry. */
export const BUILTIN_AGENTS = ['claude', 'codex', 'gemini', 'copilot', 'cursor', 'cline', 'windsurf'] as const;

export const TaskId = z
  .string()
  .regex(TASK_ID_PATTERN, 'must match ^[a-z0-9][a-z0-9._-]{0,62}$ (lower-case letters, digits, . _ -)')
  // git refuses these in ref names; `lockstep/<id>` must always be a valid branch.
  .refine((s) => !s.includes('..'), 'must not contain ".."')
  .refine((s) => !s.endsWith('.') && !s.endsWith('.lock'), 'must not end with "." or ".lock"');

/** A repository glob: relative, no negation, no `..`, not a bare directory. */
export const ScopeGlob = z
  .string()
  .min(1, 'an empty glob matches nothing')
  .superRefine((g, ctx) => {
    const problem = scopeGlobProblem(g);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  });

export function scopeGlobProblem(g: string): string | undefined {
  if (g.startsWith('!')) return `${g}: negated globs are not supported in a scope; list what the task may write`;
  if (g.startsWith('/') || /^[A-Za-z]:[\\/]/.test(g)) return `${g}: must be relative to the repository root`;
  if (g.includes('\\')) return `${g}: use / as the separator (backslash escapes are not supported)`;
  if (g.split('/').includes('..')) return `${g}: must not contain ".."`;
  if (g.endsWith('/')) return `${g}: a folder needs /** (${g}**)`;
  return undefined;
}

/** One command as an argument vector: executed directly, never through a shell. */
export const Argv = z.array(z.string().min(1, 'an argument must not be empty')).min(1, 'a command needs at least the program');

/**
 * A command written either as an argv array or as one string. The string is split like a simple
 * command line (whitespace, '…', "…", backslash) but never given to a shell: pipes, `&&`, redirections
 * and `$(…)` are refused. Both forms parse to an argv array.
 */
export const CommandLine = z.union([z.string(), Argv]).transform((v, ctx): string[] => {
  if (Array.isArray(v)) return v;
  try {
    const argv = splitCommandLine(v);
    if (argv.length === 0) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'an empty command' });
      return z.NEVER;
    }
    return argv;
  } catch (e) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: (e as Error).message });
    return z.NEVER;
  }
});

/** Splits a command string into argv without a shell; throws on shell operators and unbalanced quotes. */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) cur += line[++i];
      else cur += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new Error('a command must not end with a backslash');
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else if ('|&;<>`'.includes(c) || (c === '$' && line[i + 1] === '(')) {
      throw new Error(
        `"${line}": shell operators (${c}) are not supported because commands run without a shell; ` +
          'put them in a script (e.g. npm run verify) or write the command as an argv array',
      );
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`"${line}": unbalanced ${quote} quote`);
  if (inWord) out.push(cur);
  return out;
}

/** How an agent is launched; `{prompt}` (the text) or `{promptFile}` (a file path) is a whole argument. */
export const AgentTemplate = Argv.refine(
  (argv) => argv.some((a) => promptPlaceholderOf(a) !== undefined),
  'an agent template needs "{prompt}" or "{promptFile}" as a whole argument (or as --option={prompt})',
);

export const TaskSpec = z
  .object({
    id: TaskId,
    title: z.string().min(1, 'a task needs a title'),
    prompt: z.string().min(1, 'a task needs a prompt'),
    agent: z.string().regex(AGENT_KEY_PATTERN, 'must be an agent name such as claude').optional().describe('a built-in agent or a name under agents: (default claude)'),
    scope: z.array(ScopeGlob).default([]).describe('globs of the files the task may write (a write task needs one)'),
    readOnly: z.boolean().default(false).describe('writes nothing: no worktree, every edit denied'),
    phase: z.number().int('must be a whole number').positive('must be 1 or more').default(1).describe('opens when every task of earlier phases is done'),
    dependsOn: z.array(TaskId).default([]).describe('tasks that must be done before this one starts or lands'),
  })
  .strict();
export type TaskSpec = z.output<typeof TaskSpec>;
export type TaskSpecInput = z.input<typeof TaskSpec>;

/** Field order used when writing a new task to YAML. */
export const TASK_FIELD_ORDER = ['id', 'title', 'agent', 'readOnly', 'phase', 'scope', 'dependsOn', 'prompt'] as const;

/** The branch a plan lands on. */
export const PlanTarget = z.string().regex(/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+$/, 'must be a branch name (letters, digits, . _ / -)');

export const PlanShape = z
  .object({
    target: PlanTarget.default('main'),
    maxParallel: z.number().int('must be a whole number').min(1, 'must be 1 or more').default(3).describe('tasks running at once'),
    verify: CommandLine.optional().describe('command checking the merge result before every landing'),
    /** Relative to the repository root; must lie outside it. Default: `../<repo>-worktrees`. */
    worktreesRoot: z.string().min(1).optional(),
    autoRun: z.boolean().default(false).describe('VS Code starts every startable task by itself'),
    /** Let a task branch that changes files outside its task's scope land (each landing records them). */
    allowOutOfScope: z.boolean().default(false),
    /** The landing queue (#17): finished tasks land in batches, a failing batch bisected to its culprits. */
    landingQueue: z
      .object({
        enabled: z.boolean().default(false).describe('finished tasks land by themselves, in batches (the coordinator runs the queue)'),
        batchSize: z.number().int('must be a whole number').min(1, 'must be 1 or more').max(64, 'must be 64 or less').default(8),
        parallel: z.number().int('must be a whole number').min(1, 'must be 1 or more').max(16, 'must be 16 or less').default(1).describe('verification runs at once while bisecting'),
      })
      .strict()
      .default({ enabled: false, batchSize: 8, parallel: 1 }),
    agents: z.record(z.string().regex(AGENT_KEY_PATTERN, 'agent names use a-z 0-9 . _ -'), AgentTemplate).default({}).transform(asOwnRecord),
    /** Commands run in each new worktree, in order. */
    setup: z.array(CommandLine).default([]),
    tasks: z.array(TaskSpec).default([]),
  })
  .strict();

/** The plan with whole-plan rules: unique ids, known dependencies, no cycles, phases, scopes, agents. */
export const Plan = PlanShape.superRefine((plan, ctx) => {
  for (const issue of planRuleIssues(plan)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: issue.path, message: issue.message });
});
export type Plan = z.output<typeof Plan>;
export type PlanInput = z.input<typeof Plan>;

export interface RuleIssue {
  path: (string | number)[];
  message: string;
}

/** The checks that look at more than one field. Returned in document order. */
export function planRuleIssues(plan: z.output<typeof PlanShape>): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const index = new Map<string, number>();
  plan.tasks.forEach((t, i) => {
    if (index.has(t.id)) issues.push({ path: ['tasks', i, 'id'], message: `duplicate id '${t.id}' (also tasks[${index.get(t.id)}])` });
    else index.set(t.id, i);
  });
  plan.tasks.forEach((t, i) => {
    if (!t.readOnly && t.scope.length === 0) {
      issues.push({ path: ['tasks', i, 'scope'], message: 'a write task needs at least one glob (or set readOnly: true)' });
    }
    if (t.agent !== undefined && !(t.agent in plan.agents) && !(BUILTIN_AGENTS as readonly string[]).includes(t.agent)) {
      issues.push({
        path: ['tasks', i, 'agent'],
        message: `unknown agent '${t.agent}'; define it under agents: or use one of ${BUILTIN_AGENTS.join(', ')}`,
      });
    }
    const seen = new Set<string>();
    t.dependsOn.forEach((dep, j) => {
      const p = ['tasks', i, 'dependsOn', j];
      if (seen.has(dep)) issues.push({ path: p, message: `'${dep}' is listed twice` });
      seen.add(dep);
      const di = index.get(dep);
      if (dep === t.id) issues.push({ path: p, message: `'${t.id}' depends on itself` });
      else if (di === undefined) issues.push({ path: p, message: `unknown task '${dep}'` });
      else if (plan.tasks[di].phase > t.phase) {
        issues.push({
          path: p,
          message: `'${t.id}' (phase ${t.phase}) depends on '${dep}' of a later phase (${plan.tasks[di].phase})`,
        });
      }
    });
  });
  for (const cycle of findCycles(plan.tasks)) {
    const first = index.get(cycle[0]) ?? 0;
    issues.push({ path: ['tasks', first, 'dependsOn'], message: `dependency cycle: ${[...cycle, cycle[0]].join(' → ')}` });
  }
  return issues;
}

/** Each dependency cycle once, starting at its task that comes first in plan order. Self-loops are not cycles here. */
export function findCycles(tasks: readonly { id: string; dependsOn: readonly string[] }[]): string[][] {
  const deps = new Map<string, string[]>();
  for (const t of tasks) if (!deps.has(t.id)) deps.set(t.id, t.dependsOn.filter((d) => d !== t.id));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    state.set(id, 'open');
    stack.push(id);
    for (const d of deps.get(id) ?? []) {
      if (!deps.has(d)) continue;
      const s = state.get(d);
      if (s === 'open') {
        const cycle = stack.slice(stack.indexOf(d));
        const order = tasks.map((t) => t.id);
        let start = 0;
        cycle.forEach((c, k) => {
          if (order.indexOf(c) < order.indexOf(cycle[start])) start = k;
        });
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        const key = [...rotated].sort().join('\0');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(rotated);
        }
      } else if (s === undefined) visit(d);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const t of tasks) if (!state.has(t.id)) visit(t.id);
  return cycles;
}

export function taskById(plan: Plan, id: string): TaskSpec | undefined {
  return plan.tasks.find((t) => t.id === id);
}

/** Branch of a task's worktree. Safe by construction of TaskId. */
export function taskBranch(id: string): string {
  return `lockstep/${id}`;
}

/** True when `candidate` is `root` or lies inside it (lexical; pass realpaths to account for symlinks). */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(candidate));
  return rel === '' || (!path.isAbsolute(rel) && rel !== '..' && !rel.startsWith('..' + path.sep));
}

/**
 * Absolute folder for the plan's worktrees: `worktreesRoot` resolved against the repository root,
 * by default the sibling folder `../<repo>-worktrees`. A folder inside the repository is refused
 * (worktrees inside it would show up as untracked files and be swept up by tools and agents).
 */
export function resolveWorktreesRoot(
  worktreesRoot: string | undefined,
  repoRoot: string,
): { ok: true; path: string } | { ok: false; message: string } {
  const root = path.resolve(repoRoot);
  const fallback = path.join(path.dirname(root), `${path.basename(root)}-worktrees`);
  if (worktreesRoot === undefined) return { ok: true, path: fallback };
  const resolved = path.resolve(root, worktreesRoot);
  if (isInside(root, resolved)) {
    return {
      ok: false,
      message: `${worktreesRoot} is inside the repository (${root}); use a folder beside it, e.g. ${path.relative(root, fallback)}`,
    };
  }
  return { ok: true, path: resolved };
}
