// Every agent dialect, and how a hook payload finds its own. The payload's shape decides; the
// --agent hint only settles payloads two dialects could both have sent (Claude/Codex session
// events). So VS Code's camelCase payload is VS Code's even when it runs Claude's hook command.
// Detection needs only the payload shapes (payloadShape.ts); a dialect's module (its zod schemas,
// its answers) is loaded when chosen, so a hook process evaluates one dialect, not eight.
import type { AgentName } from '../core/model';
import { HookInputError, type Dialect, type HookEvent, type ParseOptions } from './dialect';
import {
  isClaudePayload,
  isClinePayload,
  isCodexPayload,
  isCopilotPayload,
  isCursorPayload,
  isGeminiPayload,
  isVscodePayload,
  isWindsurfPayload,
} from './payloadShape';
import type { Payload } from './payloadCheck';

/** A dialect as detection sees it; `load()` brings its module in (once: require caches it). */
export interface DialectEntry {
  readonly name: AgentName;
  detect(payload: Payload): boolean;
  load(): Dialect;
}

// require() rather than import: esbuild then evaluates each dialect's module only when load() runs.
/** In detection priority: the most distinctive shapes first, Claude before the Codex fallback. */
export const dialects: readonly DialectEntry[] = [
  { name: 'cline', detect: isClinePayload, load: () => (require('./cline') as typeof import('./cline')).clineDialect },
  { name: 'cursor', detect: isCursorPayload, load: () => (require('./cursor') as typeof import('./cursor')).cursorDialect },
  { name: 'windsurf', detect: isWindsurfPayload, load: () => (require('./windsurf') as typeof import('./windsurf')).windsurfDialect },
  { name: 'vscode', detect: isVscodePayload, load: () => (require('./vscodeAgent') as typeof import('./vscodeAgent')).vscodeDialect },
  { name: 'copilot', detect: isCopilotPayload, load: () => (require('./copilot') as typeof import('./copilot')).copilotDialect },
  { name: 'gemini', detect: isGeminiPayload, load: () => (require('./gemini') as typeof import('./gemini')).geminiDialect },
  { name: 'claude', detect: isClaudePayload, load: () => (require('./claude') as typeof import('./claude')).claudeDialect },
  { name: 'codex', detect: isCodexPayload, load: () => (require('./codex') as typeof import('./codex')).codexDialect },
];

export function dialectFor(name: AgentName): Dialect {
  const d = dialects.find((x) => x.name === name);
  if (!d) throw new HookInputError(`unknown agent '${name}'`);
  return d.load();
}

/** Picks the dialect of a payload; `hint` (from --agent) wins only when the payload fits it. */
export function detectDialect(payload: Record<string, unknown>, hint?: AgentName): Dialect {
  if (hint) {
    const d = dialects.find((x) => x.name === hint);
    if (d && d.detect(payload)) return d.load();
  }
  const found = dialects.find((x) => x.detect(payload));
  if (!found) throw new HookInputError('payload matches no known agent hook format');
  return found.load();
}

/** Reads a hook's stdin text: JSON object → its dialect → the normalized event. */
export function parseHookInput(stdin: string, hint?: AgentName, opts?: ParseOptions): { dialect: Dialect; event: HookEvent } {
  let payload: unknown;
  try {
    payload = JSON.parse(stdin);
  } catch (e) {
    throw new HookInputError(`hook input is not JSON: ${(e as Error).message}`);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new HookInputError('hook input must be a JSON object');
  const dialect = detectDialect(payload as Record<string, unknown>, hint);
  return { dialect, event: dialect.parse(payload as Record<string, unknown>, opts) };
}
