// Which tool calls each agent sends to Lockstep's PreToolUse/PostToolUse hooks: its edit tools and its
// shell tools (a shell command can write files too). The dialects own the names, so a dialect that
// learns a new tool changes one line there.
import { CLAUDE_HOOK_MATCHER } from '../claude';
import { CODEX_HOOK_MATCHER } from '../codex';
import { GEMINI_HOOK_MATCHER } from '../gemini';

export const HOOK_MATCHERS = {
  claude: CLAUDE_HOOK_MATCHER,
  codex: CODEX_HOOK_MATCHER,
  gemini: GEMINI_HOOK_MATCHER,
} as const;
