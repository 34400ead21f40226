// Cursor: `.cursor/hooks.json` (project) or `~/.cursor/hooks.json` (user), flat entries.
import * as path from 'node:path';
import type { JsonPlan } from './jsonHooks';
import type { HookInstallOptions } from './types';
import { userHome } from './userDirs';

export function cursorPlan(opts: HookInstallOptions): JsonPlan {
  const dir = opts.scope === 'project' ? path.join(opts.repoRoot, '.cursor') : path.join(userHome(opts), '.cursor');
  const entry = { command: opts.command };
  return {
    kind: 'json',
    file: path.join(dir, 'hooks.json'),
    layout: 'flat',
    header: { version: 1 },
    // postToolUse: its additional_context is how messages reach the model after a tool call (afterFileEdit's answer is ignored).
    registrations: ['preToolUse', 'beforeShellExecution', 'afterFileEdit', 'postToolUse', 'sessionStart', 'sessionEnd'].map((event) => ({ event, entry })),
    ownFile: false,
  };
}
