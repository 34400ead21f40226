// Every agent dialect, and how a hook payload finds its own. The payload's shape decides; the
// --agent hint only settles payloads two dialects could both have sent (Claude/Codex session
// events). So VS Code's camelCase payload is VS Code's even when it runs Claude's hook command.
import type { AgentName } from '../core/model';
import { claudeDialect } from './claude';
import { clineDialect } from './cline';
import { codexDialect } from './codex';
import { copilotDialect } from './copilot';
import { cursorDialect } from './cursor';
import { HookInputError, type Dialect, type HookEvent, type ParseOptions } from './dialect';
import { geminiDialect } from './gemini';
import { vscodeDialect } from './vscodeAgent';
import { windsurfDialect } from './windsurf';

/** In detection priority: the most distinctive shapes first, Claude before the Codex fallback. */
export const dialects: readonly Dialect[] = [
  clineDialect,
  cursorDialect,
  windsurfDialect,
  vscodeDialect,
  copilotDialect,
  geminiDialect,
  claudeDialect,
  codexDialect,
];

export function dialectFor(name: AgentName): Dialect {
  const d = dialects.find((x) => x.name === name);
  if (!d) throw new HookInputError(`unknown agent '${name}'`);
  return d;
}

/** Picks the dialect of a payload; `hint` (from --agent) wins only when the payload fits it. */
export function detectDialect(payload: Record<string, unknown>, hint?: AgentName): Dialect {
  if (hint) {
    const d = dialects.find((x) => x.name === hint);
    if (d && d.detect(payload)) return d;
  }
  const found = dialects.find((x) => x.detect(payload));
  if (!found) throw new HookInputError('payload matches no known agent hook format');
  return found;
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
