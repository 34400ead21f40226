// How Lockstep recognises its own entries in an agent's hook configuration: every command it writes
// starts with the marker `LOCKSTEP_HOOK=1 ` (an environment assignment every POSIX shell, zsh and fish
// accept, harmless to the hook). Nothing else is ever taken for Lockstep's, so a user's hook that
// happens to mention `cli.js hook` is never touched. The exact command lines older versions wrote
// (before the marker) are recognised too, so a reinstall replaces them instead of leaving a stale copy.

export const HOOK_MARKER = 'LOCKSTEP_HOOK=1 ';

/** `command` with the marker in front (once). */
export function markCommand(command: string): string {
  const bare = command.trim();
  return bare.startsWith(HOOK_MARKER) ? bare : `${HOOK_MARKER}${bare}`;
}

/** The agents older versions wrote hooks for, as they spelled them in `--agent`. */
const AGENT = '(?:claude|codex|gemini|vscode|copilot|cursor|cline|windsurf)';
/** A /bin/sh word as shellQuote wrote it: bare safe characters, or single-quoted. */
const WORD = `(?:[\\w@%+=:,./-]+|'(?:[^']|'\\\\'')*')`;
/** The dist/cli.js word: bare or single-quoted, ending in `/dist/cli.js`. */
const CLI_JS = `(?:[\\w@%+=:,./-]*/dist/cli\\.js|'(?:[^']|'\\\\'')*/dist/cli\\.js')`;
const LEGACY = [
  // `lockstep hook --agent claude` (a global install on PATH)
  new RegExp(`^lockstep hook --agent ${AGENT}$`),
  // `'/usr/bin/node' '/x/dist/cli.js' hook --agent claude`, optionally under Electron
  new RegExp(`^(?:env ELECTRON_RUN_AS_NODE=1 )?${WORD} ${CLI_JS} hook --agent ${AGENT}$`),
];

/** True for a command line Lockstep wrote: the marker, or one of the exact pre-marker shapes. */
export function isLockstepHookCommand(cmd: unknown): boolean {
  if (typeof cmd !== 'string') return false;
  const c = cmd.trim();
  return c.startsWith(HOOK_MARKER) || LEGACY.some((re) => re.test(c));
}
