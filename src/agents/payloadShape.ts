// Recognises which agent sent a hook payload from its shape alone. Several agents run the same
// configured hooks (VS Code runs Claude's and Copilot CLI's), so the payload, not the config file
// or the --agent flag, says who is asking. The predicates are mutually exclusive except
// Claude/Codex on events that carry no Codex-only field (the --agent hint settles those).
import type { Payload } from './payloadCheck';

const has = (p: Payload, key: string): boolean => Object.prototype.hasOwnProperty.call(p, key);

/** Event names only Gemini CLI uses (its SessionStart/SessionEnd are told apart by `timestamp`). */
export const GEMINI_ONLY_EVENTS = new Set(['BeforeTool', 'AfterTool', 'BeforeAgent', 'AfterAgent', 'BeforeModel', 'AfterModel', 'BeforeToolSelection', 'PreCompress']);

/** Tools only Claude Code has: a payload naming them is never Codex's. */
const CLAUDE_ONLY_TOOLS = new Set(['Edit', 'Write', 'MultiEdit', 'NotebookEdit', 'Read', 'Glob', 'Grep', 'LS', 'Task', 'TodoWrite', 'WebFetch', 'WebSearch']);

export function isClinePayload(p: Payload): boolean {
  return has(p, 'clineVersion') || (has(p, 'hookName') && has(p, 'taskId'));
}

export function isWindsurfPayload(p: Payload): boolean {
  return !isClinePayload(p) && (has(p, 'agent_action_name') || has(p, 'trajectory_id'));
}

export function isCursorPayload(p: Payload): boolean {
  if (isClinePayload(p) || isWindsurfPayload(p)) return false;
  return has(p, 'conversation_id') || has(p, 'cursor_version') || (has(p, 'workspace_roots') && has(p, 'hook_event_name'));
}

function isOtherToolFamily(p: Payload): boolean {
  return isClinePayload(p) || isWindsurfPayload(p) || isCursorPayload(p);
}

/** VS Code agent mode: camelCase `sessionId` + `hookEventName` (it also runs Claude's hook files). */
export function isVscodePayload(p: Payload): boolean {
  return !isOtherToolFamily(p) && has(p, 'hookEventName') && has(p, 'sessionId');
}

/**
 * Copilot CLI: camelCase events carry no event name at all (`{timestamp, cwd, toolName, toolArgs}`,
 * newer versions add `sessionId`); events configured in PascalCase get a "VS Code compatible"
 * snake_case payload with an ISO `timestamp` and neither `transcript_path` nor `permission_mode`.
 */
export function isCopilotPayload(p: Payload): boolean {
  if (isOtherToolFamily(p)) return false;
  if (!has(p, 'hookEventName') && !has(p, 'hook_event_name')) {
    return has(p, 'toolName') || has(p, 'toolArgs') || has(p, 'sessionId') || (typeof p.timestamp === 'number' && has(p, 'cwd'));
  }
  // The notification hook: snake_case event fields beside the camelCase `sessionId` and a numeric timestamp.
  if (has(p, 'hook_event_name') && has(p, 'sessionId') && !has(p, 'session_id') && typeof p.timestamp === 'number') return true;
  return (
    has(p, 'hook_event_name') &&
    has(p, 'session_id') &&
    typeof p.timestamp === 'string' &&
    !has(p, 'transcript_path') &&
    !has(p, 'permission_mode') &&
    !GEMINI_ONLY_EVENTS.has(String(p.hook_event_name))
  );
}

/** Gemini CLI: its own event names, or SessionStart/End with an ISO `timestamp` (Claude/Codex send none). */
export function isGeminiPayload(p: Payload): boolean {
  if (isOtherToolFamily(p) || !has(p, 'hook_event_name') || !has(p, 'session_id')) return false;
  if (GEMINI_ONLY_EVENTS.has(String(p.hook_event_name))) return true;
  return has(p, 'timestamp') && has(p, 'transcript_path') && !has(p, 'permission_mode') && !isCopilotPayload(p);
}

/** Claude Code's snake_case shape, which Codex copied. */
export function isClaudeFamilyPayload(p: Payload): boolean {
  return has(p, 'hook_event_name') && has(p, 'session_id') && !isOtherToolFamily(p) && !isGeminiPayload(p) && !isCopilotPayload(p);
}

/** Fields only Codex sends: `turn_id`, the apply_patch tool, a null or rollout transcript path. */
export function hasCodexMarkers(p: Payload): boolean {
  if (!isClaudeFamilyPayload(p)) return false;
  const transcript = p.transcript_path;
  return (
    has(p, 'turn_id') ||
    p.tool_name === 'apply_patch' ||
    transcript === null ||
    (typeof transcript === 'string' && (/(^|[\\/])rollout-[^\\/]*\.jsonl$/.test(transcript) || /[\\/]\.codex[\\/]/.test(transcript)))
  );
}

export function isClaudePayload(p: Payload): boolean {
  return isClaudeFamilyPayload(p) && !hasCodexMarkers(p);
}

/** Any Claude-family payload that does not name a Claude-only tool or a Claude transcript. */
export function isCodexPayload(p: Payload): boolean {
  if (!isClaudeFamilyPayload(p)) return false;
  if (hasCodexMarkers(p)) return true;
  if (typeof p.tool_name === 'string' && CLAUDE_ONLY_TOOLS.has(p.tool_name)) return false;
  if (typeof p.transcript_path === 'string' && /[\\/]\.claude[\\/]projects[\\/]/.test(p.transcript_path)) return false;
  return true;
}
