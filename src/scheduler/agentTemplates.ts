// How a task's agent is launched: the argv template (the plan's `agents:` entry, else a built-in one)
// with `{prompt}` or `{promptFile}` replaced as one whole argument. Never a shell string. A prompt is
// text, never an option: built-in templates pass it after `--` or as `--prompt=<text>` (checked
// against the real CLIs: claude 2.1, codex 0.169, gemini 0.61, copilot 1.0).
import * as path from 'node:path';
import { AgentName } from '../core/model';
import { promptPlaceholderOf, type Plan, type TaskSpec } from '../core/plan';

/** Agent used by a task that names none. */
export const DEFAULT_AGENT = 'claude';

/**
 * Built-in templates. `headless` runs to completion without a person (lockstep run, task start);
 * `terminal` opens the agent's interactive UI in a VS Code terminal with the prompt as first message.
 * A plan's `agents:` entry replaces both.
 */
export const BUILTIN_TEMPLATES: Readonly<Record<string, { headless: string[]; terminal: string[] }>> = {
  claude: { headless: ['claude', '-p', '--permission-mode', 'acceptEdits', '--', '{prompt}'], terminal: ['claude', '--', '{prompt}'] },
  codex: { headless: ['codex', 'exec', '--sandbox', 'workspace-write', '--', '{prompt}'], terminal: ['codex', '--', '{prompt}'] },
  // gemini's -p/-i take the next argument only when it does not begin with '-': the value is joined.
  gemini: { headless: ['gemini', '--approval-mode', 'auto_edit', '--prompt={prompt}'], terminal: ['gemini', '--prompt-interactive={prompt}'] },
  copilot: { headless: ['copilot', '--allow-all-tools', '--prompt={prompt}'], terminal: ['copilot', '--interactive={prompt}'] },
  cursor: { headless: ['cursor-agent', '-p', '--force', '--', '{prompt}'], terminal: ['cursor-agent', '--', '{prompt}'] },
  cline: { headless: ['cline', '-y', '--', '{prompt}'], terminal: ['cline', '--', '{prompt}'] },
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
  const builtin = Object.hasOwn(BUILTIN_TEMPLATES, key) ? BUILTIN_TEMPLATES[key] : undefined;
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

/**
 * Replaces each placeholder argument; the prompt stays one argument whatever it contains. A prompt
 * beginning with '-' in a plain `{prompt}` argument not preceded by `--` would reach the agent as an
 * option (`--dangerously-skip-permissions`): refused with the fix.
 */
export function expandTemplate(template: readonly string[], values: { prompt: string; promptFile: string }): string[] {
  if (!template.some((a) => promptPlaceholderOf(a) !== undefined)) {
    throw new AgentTemplateError(`agent template ${JSON.stringify(template)} needs "{prompt}" or "{promptFile}" as a whole argument`);
  }
  const endOfOptions = template.indexOf('--');
  return template.map((a, i) => {
    const p = promptPlaceholderOf(a);
    if (!p) return a;
    const value = p.placeholder === '{prompt}' ? values.prompt : values.promptFile;
    if (p.prefix === '' && value.startsWith('-') && (endOfOptions < 0 || endOfOptions > i)) {
      throw new AgentTemplateError(
        `the prompt begins with '-' and agent template ${JSON.stringify(template)} would pass it as an option; put "--" before "${p.placeholder}", or use "--option=${p.placeholder}" or "{promptFile}"`,
      );
    }
    return p.prefix + value;
  });
}
