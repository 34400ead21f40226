// Gemini CLI: `hooks` in `.gemini/settings.json` (project) or `~/.gemini/settings.json` (user).
// Timeouts are in milliseconds. Project settings are read only in a trusted folder (geminiTrust.ts).
import * as path from 'node:path';
import type { JsonPlan } from './jsonHooks';
import { HOOK_MATCHERS } from './matchers';
import type { HookInstallOptions } from './types';
import { geminiDir } from './userDirs';

export const GEMINI_EVENTS = ['BeforeTool', 'AfterTool', 'SessionStart', 'SessionEnd', 'BeforeAgent'] as const;
export const GEMINI_TIMEOUT_MS = 30_000;

export function geminiSettingsPath(opts: HookInstallOptions): string {
  return path.join(opts.scope === 'project' ? path.join(opts.repoRoot, '.gemini') : geminiDir(opts), 'settings.json');
}

export function geminiPlan(opts: HookInstallOptions): JsonPlan {
  return {
    kind: 'json',
    file: geminiSettingsPath(opts),
    layout: 'grouped',
    header: {},
    registrations: GEMINI_EVENTS.map((event) => {
      const hook = { type: 'command', command: opts.command, timeout: GEMINI_TIMEOUT_MS, name: 'lockstep' };
      return { event, entry: event === 'BeforeTool' || event === 'AfterTool' ? { matcher: HOOK_MATCHERS.gemini, hooks: [hook] } : { hooks: [hook] } };
    }),
    ownFile: false,
  };
}
