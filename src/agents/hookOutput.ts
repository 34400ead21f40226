// Building blocks for HookAnswer: JSON on stdout, nothing at all, or exit 2 with the reason on stderr.
import type { HookAnswer, HookDecision, HookEvent } from './dialect';

export const NO_OUTPUT: HookAnswer = { stdout: '', stderr: '', exitCode: 0 };

export function jsonAnswer(body: object): HookAnswer {
  return { stdout: `${JSON.stringify(body)}\n`, stderr: '', exitCode: 0 };
}

/** Exit 2 with the reason on stderr: the blocking convention of Claude, Codex, Gemini, VS Code, Windsurf. */
export function exit2Answer(reason: string): HookAnswer {
  return { stdout: '', stderr: `${reason}\n`, exitCode: 2 };
}

export function joinNotes(...notes: (string | undefined)[]): string | undefined {
  const kept = notes.filter((n): n is string => !!n && n.trim() !== '');
  return kept.length ? kept.join('\n') : undefined;
}

/** Never an empty reason: several agents reject a deny without one (Codex ignores it entirely). */
export function denyReason(reason: string): string {
  return reason.trim() ? reason : 'Denied by Lockstep.';
}

/**
 * What a non-blocking answer has to say. A deny on an event that cannot be blocked (session start,
 * stop, post-edit…) never blocks: its reason becomes context, so a session or a stop is never vetoed.
 */
export function notesOf(decision: HookDecision): { context?: string; warning?: string } {
  if (decision.kind === 'deny') return { context: decision.reason };
  if (decision.kind === 'allow') return { context: decision.context, warning: decision.warning };
  return { context: decision.context };
}

/**
 * The protocol Claude Code defined and Codex and VS Code follow: deny through
 * hookSpecificOutput.permissionDecision on the pre-tool event, a grant with no decision at all,
 * context through hookSpecificOutput.additionalContext where the event supports it, else systemMessage.
 */
export function claudeStyleAnswer(event: HookEvent | undefined, decision: HookDecision, contextEvents: ReadonlySet<string>): HookAnswer {
  const eventName = event?.eventName ?? 'PreToolUse';
  if (decision.kind === 'deny' && eventName === 'PreToolUse') {
    return jsonAnswer({
      hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: denyReason(decision.reason) },
    });
  }
  const { context, warning } = notesOf(decision);
  const body: Record<string, unknown> = {};
  const contextFits = !!context && contextEvents.has(eventName);
  if (contextFits) body.hookSpecificOutput = { hookEventName: eventName, additionalContext: context };
  const message = joinNotes(warning, contextFits ? undefined : context);
  if (message) body.systemMessage = message;
  return Object.keys(body).length ? jsonAnswer(body) : NO_OUTPUT;
}
