// Which tool calls each agent sends to Lockstep's PreToolUse/PostToolUse hooks (the dialects' tool
// names). One table, so a dialect that learns a new tool changes one line.
export const HOOK_MATCHERS = {
  claude: 'Edit|Write|MultiEdit|NotebookEdit',
  codex: 'apply_patch',
  gemini: 'write_file|replace',
} as const;
