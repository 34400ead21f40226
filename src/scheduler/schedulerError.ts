// The scheduler's one error type: a refused or failed operation, its message one line, with the
// details (gate reasons, plan issues, what was kept) the CLI's --json and the UI show.
import { formatIssue, type PlanIssue } from '../core/planFile';
import type { KeptItem, PlanIssueView } from '../protocol/schedulerMethods';

/** A refused or failed scheduler operation. `message` is one line; details say more for --json/UI. */
export class SchedulerError extends Error {
  override readonly name = 'SchedulerError';
  constructor(
    message: string,
    readonly details: { reasons?: string[]; issues?: PlanIssueView[]; kept?: KeptItem[] } = {},
  ) {
    super(message);
  }
}

export function issueView(i: PlanIssue): PlanIssueView {
  return { ...i, text: formatIssue(i) };
}

/** The first line of an error's message: what a refusal quotes of a failure underneath it. */
export function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}
