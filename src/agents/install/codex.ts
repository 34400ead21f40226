// OpenAI Codex CLI: `.codex/hooks.json` (project), `$CODEX_HOME/hooks.json` (user; ~/.codex).
// Same grouped shape as Claude's, timeouts in seconds; Codex clamps SessionEnd to 3 s (and warns on
// every run when asked for more). Codex runs a hook only once the user approved its hash (stored in
// $CODEX_HOME/config.toml), and project hooks only in a trusted project (see codexTrust.ts).
import * as path from 'node:path';
import type { JsonPlan } from './jsonHooks';
import { HOOK_MATCHERS } from './matchers';
import type { HookInstallOptions } from './types';
import { codexHome } from './userDirs';

export const CODEX_EVENTS = ['PreToolUse', 'PostToolUse', 'SessionStart', 'SessionEnd', 'UserPromptSubmit'] as const;
/** What Codex accepts per event, in seconds. */
export const CODEX_TIMEOUT_S: Record<string, number> = { SessionEnd: 3 };
const DEFAULT_TIMEOUT_S = 30;

export function codexHooksFile(opts: HookInstallOptions): string {
  return path.join(opts.scope === 'project' ? path.join(opts.repoRoot, '.codex') : codexHome(opts), 'hooks.json');
}

export function codexPlan(opts: HookInstallOptions): JsonPlan {
  return {
    kind: 'json',
    file: codexHooksFile(opts),
    layout: 'grouped',
    header: {},
    registrations: CODEX_EVENTS.map((event) => {
      const hook = { type: 'command', command: opts.command, timeout: CODEX_TIMEOUT_S[event] ?? DEFAULT_TIMEOUT_S };
      return { event, entry: event === 'PreToolUse' || event === 'PostToolUse' ? { matcher: HOOK_MATCHERS.codex, hooks: [hook] } : { hooks: [hook] } };
    }),
    ownFile: false,
  };
}
