// Agents' user-level configuration folders: a `home` given by the caller (tests, user scope for
// another account) wins; otherwise the agent's own environment variable, then its default.
import * as os from 'node:os';
import * as path from 'node:path';
import type { HookInstallOptions } from './types';

function envOf(opts: Pick<HookInstallOptions, 'env'>): NodeJS.ProcessEnv {
  return opts.env ?? process.env;
}

export function userHome(opts: Pick<HookInstallOptions, 'home'>): string {
  return opts.home ?? os.homedir();
}

/** ~/.claude (CLAUDE_CONFIG_DIR). */
export function claudeConfigDir(opts: Pick<HookInstallOptions, 'home' | 'env'>): string {
  return opts.home ? path.join(opts.home, '.claude') : envOf(opts).CLAUDE_CONFIG_DIR || path.join(os.homedir(), '.claude');
}

/** ~/.codex (CODEX_HOME). */
export function codexHome(opts: Pick<HookInstallOptions, 'home' | 'env'>): string {
  return opts.home ? path.join(opts.home, '.codex') : envOf(opts).CODEX_HOME || path.join(os.homedir(), '.codex');
}

/** ~/.copilot (COPILOT_HOME). */
export function copilotHome(opts: Pick<HookInstallOptions, 'home' | 'env'>): string {
  return opts.home ? path.join(opts.home, '.copilot') : envOf(opts).COPILOT_HOME || path.join(os.homedir(), '.copilot');
}

/** ~/.gemini. */
export function geminiDir(opts: Pick<HookInstallOptions, 'home'>): string {
  return path.join(userHome(opts), '.gemini');
}
