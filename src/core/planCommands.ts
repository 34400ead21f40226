// The commands a plan makes Lockstep run outside any agent sandbox: its agent templates (`agents:`),
// the `setup` commands run in each new worktree, and `verify` run before landing. An agent that can
// write the plan could change them, so the editor asks the user to approve them whenever they differ
// from the ones the user approved last (extension/planApproval.ts). Pure: text in, lists out.
import { createHash } from 'node:crypto';
import { tryParsePlan } from './planFile';

export interface PlanCommand {
  /** Where it is in the plan: `agents.claude`, `setup[0]`, `verify`. */
  name: string;
  argv: string[];
}

/** The plan's commands, in a stable order; undefined when the text is not a valid plan (nothing runs then). */
export function planCommands(text: string): PlanCommand[] | undefined {
  const r = tryParsePlan(text);
  if (!r.ok) return undefined;
  const out: PlanCommand[] = [];
  for (const name of Object.keys(r.plan.agents).sort()) out.push({ name: `agents.${name}`, argv: [...r.plan.agents[name]!] });
  r.plan.setup.forEach((argv, i) => out.push({ name: `setup[${i}]`, argv: [...argv] }));
  if (r.plan.verify) out.push({ name: 'verify', argv: [...r.plan.verify] });
  return out;
}

export function commandsHash(commands: readonly PlanCommand[]): string {
  return createHash('sha256').update(JSON.stringify(commands.map((c) => [c.name, c.argv]))).digest('hex');
}

/** The commands that are new or different compared with `approved` (all of them when nothing was approved). */
export function changedCommands(current: readonly PlanCommand[], approved: readonly PlanCommand[] | undefined): PlanCommand[] {
  const before = new Map((approved ?? []).map((c) => [c.name, JSON.stringify(c.argv)]));
  return current.filter((c) => before.get(c.name) !== JSON.stringify(c.argv));
}

/** One line per command, as the user reads it in the approval dialog. */
export function describeCommand(c: PlanCommand): string {
  return `${c.name}: ${c.argv.map((a) => (/^[\w./:=@%+,-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')}`;
}
