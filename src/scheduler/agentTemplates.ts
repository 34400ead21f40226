// How a task's agent is launched: the argv template (the plan's `agents:` entry, else a built-in one)
// with `{prompt}` or `{promptFile}` replaced as one whole argument. Never a shell string.
import * as path from 'node:path';
import { AgentName } from '../core/model';
import { PROMPT_PLACEHOLDERS, type Plan, type TaskSpec } from '../core/plan';

/** Agent used by a task that names none. */
export const DEFAULT_AGENT = 'claude';

/**
 * Built-in templates. `headless` runs to completion without a person (lockstep run, task start);
 * `terminal` opens the agent's interactive UI in a VS Code terminal with the prompt as first message.
 * A plan's `agents:` entry replaces both.
 */
export const BUILTIN_TEMPLATES: Readonly<Record<string, { headless: string[]; terminal: string[] }>> = {
  claude: { headless: ['claude', '-p', '--permission-mode', 'acceptEdits', '{prompt}'], terminal: ['claude', '{prompt}'] },
  codex: { headless: ['codex', 'exec', '--full-auto', '{prompt}'], terminal: ['codex', '{prompt}'] },
  gemini: { headless: ['gemini', '--approval-mode', 'auto_edit', '-p', '{prompt}'], terminal: ['gemini', '-i', '{prompt}'] },
  copilot: { headless: ['copilot', '--allow-all-tools', '-p', '{prompt}'], terminal: ['copilot', '-i', '{prompt}'] },
  cursor: { headless: ['cursor-agent', '-p', '--force', '{prompt}'], terminal: ['cursor-agent', '{prompt}'] },
  cline: { headless: ['cline', '-y', '{prompt}'], terminal: ['cline', '{prompt}'] },
};

export type LaunchMode = 'headless' | 'terminal';

export class AgentTemplateError extends Error {
  override readonly name = 'AgentTemplateError';
}

/** The plan's name for the task's agent (`claude` when the task names none). */
export function agentKeyOf(task: Pick<TaskSpec, 'agent'>): string {
  return task.agent ?? DEFAULT_AGENT;
}

/** The argv template of the task's agent; throws when neither the plan nor the built-ins have one. */
export function agentTemplate(plan: Pick<Plan, 'agents'>, task: Pick<TaskSpec, 'id' | 'agent'>, mode: LaunchMode): string[] {
  const key = agentKeyOf(task);
  const own = plan.agents[key];
  if (own) return [...own];
  const builtin = BUILTIN_TEMPLATES[key];
  if (builtin) return [...builtin[mode]];
  throw new AgentTemplateError(`task '${task.id}': agent '${key}' has no launch template; add one under agents: (e.g. ${key}: [${key}, "{prompt}"])`);
}

/**
 * Whose hook dialect the agent speaks (and so the `<agent>:` of its session id): the plan's key when it
 * is a known agent, else the template's program name when that is one, else undefined (no hooks known).
 */
export function agentDialect(key: string, template: readonly string[]): AgentName | undefined {
  const byKey = AgentName.safeParse(key);
  if (byKey.success && byKey.data !== 'human' && byKey.data !== 'custom') return byKey.data;
  const program = path.basename(template[0] ?? '').replace(/\.(exe|cmd|bat|js|mjs|cjs)$/i, '');
  const byProgram = AgentName.safeParse(program);
  return byProgram.success && byProgram.data !== 'human' && byProgram.data !== 'custom' ? byProgram.data : undefined;
}

/** Replaces each whole-argument placeholder; the prompt stays one argument whatever it contains. */
export function expandTemplate(template: readonly string[], values: { prompt: string; promptFile: string }): string[] {
  if (!template.some((a) => (PROMPT_PLACEHOLDERS as readonly string[]).includes(a))) {
    throw new AgentTemplateError(`agent template ${JSON.stringify(template)} needs "{prompt}" or "{promptFile}" as a whole argument`);
  }
  return template.map((a) => (a === '{prompt}' ? values.prompt : a === '{promptFile}' ? values.promptFile : a));
}
