// `hook_decide`, the MCP tool behind Claude Code's `mcp_tool` hook handlers: the long-lived
// `lockstep mcp` server answers a hook event without a process per event. It runs exactly the
// command hook's code (runHook: same payload checks, same store transaction, same fencing, the
// store read afresh on every call, so a long-lived server never answers from a stale table) and
// returns what the command hook would print, as the tool's text, which Claude Code reads as the
// hook's JSON output.
//
// Claude Code passes an mcp_tool hook only the arguments of its `input` map, each string filled
// from the hook input (`"${tool_input}"`: objects arrive as JSON text, missing fields as ""), so
// the payload is rebuilt here from those fields.
import * as z from '../core/zodClassic';
import { HOOK_AGENT_NAMES } from '../core/model';
import type { HookAnswer } from '../agents/dialect';
import { HOOK_DECIDE_FIELDS, HOOK_DECIDE_TOOL } from '../agents/install/mcpToolHook';
import { runHook } from './hookRun';

export { HOOK_DECIDE_TOOL };

/** Fields whose value is an object in the hook input (interpolated as JSON text). */
const OBJECT_FIELDS: ReadonlySet<string> = new Set(['tool_input']);

const field = z.union([z.string(), z.record(z.string(), z.unknown())]).optional();

export const hookDecideInput = {
  agent: z.enum(HOOK_AGENT_NAMES as unknown as [string, ...string[]]).optional().describe('the hook dialect (default claude)'),
  ...Object.fromEntries(HOOK_DECIDE_FIELDS.map((f) => [f, field])),
} as Record<string, z.ZodTypeAny>;

export const HOOK_DECIDE_DESCRIPTION =
  "Lockstep's hook decision for one agent hook event (called by the agent's mcp_tool hook, not by the model): the same answer `lockstep hook` would print.";

export type HookToolResult = { content: Array<{ type: 'text'; text: string }>; isError?: boolean };

/** The hook payload the fields describe: "" (a field the event lacks) is left out, JSON text of an object field parsed. */
export function payloadOfFields(args: Record<string, unknown>): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const f of HOOK_DECIDE_FIELDS) {
    const v = args[f];
    if (v === undefined || v === '') continue;
    if (OBJECT_FIELDS.has(f) && typeof v === 'string') {
      try {
        payload[f] = JSON.parse(v);
      } catch {
        payload[f] = v; // not JSON: the dialect says what is wrong with it
      }
    } else payload[f] = v;
  }
  return payload;
}

/**
 * The command hook's answer as an mcp_tool result. Exit 0: its stdout is the hook output. Exit 2
 * (the command hook's "block, with this reason"): a PreToolUse deny with that reason, which reaches
 * the model; on other events a tool error, which the handler's `onFailure: "block"` turns into a block.
 */
export function toolResultOfAnswer(answer: HookAnswer, eventName: unknown): HookToolResult {
  // "{}" rather than nothing: Claude Code reads an empty answer as plain text.
  if (answer.exitCode === 0) return { content: [{ type: 'text', text: answer.stdout.trim() || '{}' }] };
  const reason = answer.stderr.trim() || `lockstep hook exited ${answer.exitCode}`;
  if (eventName === 'PreToolUse') {
    const deny = { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } };
    return { content: [{ type: 'text', text: JSON.stringify(deny) }] };
  }
  return { content: [{ type: 'text', text: reason }], isError: true };
}

/** One hook event, decided by the command hook's own code with this process's environment. */
export function decideHookThroughTool(args: Record<string, unknown>, env: NodeJS.ProcessEnv, cwd: string, log?: (line: string) => void): HookToolResult {
  const payload = payloadOfFields(args);
  const agent = typeof args.agent === 'string' ? args.agent : 'claude';
  let answer: HookAnswer;
  try {
    answer = runHook({ args: ['--agent', agent], stdin: Buffer.from(JSON.stringify(payload), 'utf8'), env, cwd });
  } catch (e) {
    // As hookMain: a bug in Lockstep blocks, with one line that says so.
    answer = { stdout: '', stderr: `lockstep hook: internal error: ${(e as Error).message?.split('\n')[0] ?? String(e)}; run \`lockstep doctor\``, exitCode: 2 };
  }
  if (answer.stderr.trim() && log) log(answer.stderr.trim());
  return toolResultOfAnswer(answer, payload.hook_event_name);
}
