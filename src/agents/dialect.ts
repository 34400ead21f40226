// What every agent dialect provides: parse its hook payload into a normalized event, and answer
// a decision in that agent's own protocol. One module per agent implements this.
import type { AgentName } from '../core/model';

export type HookEventKind = 'pre-edit' | 'post-edit' | 'session-start' | 'session-end' | 'prompt' | 'stop' | 'other';

export interface HookEvent {
  kind: HookEventKind;
  /** The dialect the payload was parsed as. */
  agent: AgentName;
  /** The agent's own session id (Lockstep's session id is `${agent}:${sessionId}`). */
  sessionId: string;
  /** The agent's working directory (absolute). */
  cwd: string;
  /** Files the tool call would write (absolute, or relative to cwd), in the order the tool names them. */
  paths: string[];
  /** The agent's tool name (`Edit`, `apply_patch`, `write_file`…), for messages and the journal. */
  tool?: string;
  transcriptPath?: string;
  /** The raw event name as the agent sent it (`PreToolUse`, `BeforeTool`, `preToolUse`…). */
  eventName: string;
}

export type HookDecision =
  | { kind: 'allow'; context?: string; warning?: string }
  | { kind: 'deny'; reason: string }
  /** Nothing to decide (post-edit, session events): acknowledge, optionally adding context. */
  | { kind: 'ack'; context?: string };

/** What the hook process must print and exit with. */
export interface HookAnswer {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export class HookInputError extends Error {
  override readonly name = 'HookInputError';
}

/**
 * Facts about the hook process the payload itself may lack (additive: every field optional).
 * Copilot CLI payloads carry no session id in older versions; Windsurf payloads carry no cwd.
 */
export interface ParseOptions {
  /** The agent process that ran the hook (identifyAgentProcess().pid, else process.ppid). */
  agentPid?: number;
  /** That process's start time (ProcessIdentity.startTime), so a reused pid gives another session. */
  agentStartTime?: string;
  /** The hook process's working directory (absolute), used when the payload names none. */
  cwd?: string;
}

export interface Dialect {
  readonly name: AgentName;
  /** True when the payload is shaped like this dialect's (used when --agent is absent or wrong). */
  detect(payload: Record<string, unknown>): boolean;
  /** Parses a payload; throws HookInputError with a one-line message naming the bad field. */
  parse(payload: Record<string, unknown>, opts?: ParseOptions): HookEvent;
  /**
   * Events (by their raw name) whose answer puts context into the model's input: what the hook
   * delivers from the decision log and mailboxes goes only there (and into a denial's reason).
   */
  readonly contextEvents?: ReadonlySet<string>;
  /** Answers in the agent's protocol. A grant never says "allow" where that would skip the user's own approval. */
  answer(event: HookEvent | undefined, decision: HookDecision): HookAnswer;
}
