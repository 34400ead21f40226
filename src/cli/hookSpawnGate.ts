// The spawn cap: a pre-tool hook on an agent's sub-agent tool is denied once the session runs
// `subagentsPerSession` sub-agents, or all sessions of the repository `subagentsPerRepository`
// (lockstep config), with the reason and what runs. A runaway fan-out stops at its source.
import type { HookDecision, HookEvent } from '../agents/dialect';
import type { LeaseStore } from '../store/leaseStore';
import type { SubagentCounter } from '../store/subagentCounter';

/** Each agent's sub-agent tool: Claude Code `Task` (renamed `Agent`), Copilot CLI `task`, Gemini CLI `invoke_agent` (`delegate_to_agent` before 0.61). */
export const SUBAGENT_TOOLS: ReadonlySet<string> = new Set(['Task', 'Agent', 'task', 'invoke_agent', 'delegate_to_agent']);
const PRE_TOOL = new Set(['PreToolUse', 'preToolUse', 'BeforeTool']);
const POST_TOOL = new Set(['PostToolUse', 'postToolUse', 'AfterTool', 'postToolUseFailure', 'PostToolUseFailure']);

export function isSpawnEvent(event: HookEvent): boolean {
  return event.kind === 'other' && event.tool !== undefined && SUBAGENT_TOOLS.has(event.tool) && (PRE_TOOL.has(event.eventName) || POST_TOOL.has(event.eventName));
}

// Loaded on a sub-agent tool call only (a require: esbuild evaluates it then), not on every hook.
function counterModule(): typeof import('../store/subagentCounter') {
  return require('../store/subagentCounter') as typeof import('../store/subagentCounter');
}

function counterOf(store: LeaseStore): SubagentCounter {
  const { SubagentCounter } = counterModule();
  return new SubagentCounter(store.paths.memory, () => new Set(Object.values(store.read().sessions).filter((s) => s.endedAt === undefined).map((s) => s.id)));
}

/** A denial when the spawn passes a cap; undefined when it may go (and is counted), or the event is the sub-agent's return. */
export function gateSpawn(event: HookEvent, store: LeaseStore, session: string): HookDecision | undefined {
  const counter = counterOf(store);
  if (POST_TOOL.has(event.eventName)) {
    counter.finished(session);
    return undefined;
  }
  const config = store.config();
  const { DEFAULT_SUBAGENTS_PER_REPOSITORY, DEFAULT_SUBAGENTS_PER_SESSION } = counterModule();
  const caps = { perSession: config.subagentsPerSession ?? DEFAULT_SUBAGENTS_PER_SESSION, perRepository: config.subagentsPerRepository ?? DEFAULT_SUBAGENTS_PER_REPOSITORY };
  const v = counter.tryStart(session, caps);
  if (v.ok) return undefined;
  const running = Object.entries(v.running).map(([s, n]) => `${s} ${n}`).join(', ') || 'none';
  const which = v.reason === 'session' ? `this session already runs ${v.cap} sub-agents (lockstep config --subagents-per-session)` : `the repository's sessions already run ${v.cap} sub-agents (lockstep config --subagents-per-repository)`;
  return { kind: 'deny', reason: `Lockstep: sub-agent not started: ${which}. Running now: ${running}. Wait for one to return, or add the work to the plan (lockstep task add, or the MCP tool task_add) for the scheduler to start when there is room.` };
}
