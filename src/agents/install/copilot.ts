// GitHub Copilot CLI (and VS Code's agent, which reads the same files): `.github/hooks/lockstep.json`
// in the repository, or `$COPILOT_HOME/hooks/lockstep.json` (~/.copilot/hooks) for the user. Copilot
// CLI ignores repository hooks in a folder the user has not trusted; user hooks run everywhere.
// The file is Lockstep's own, so uninstall removes it. The payload, not `--agent`, tells the hook
// whether VS Code or Copilot CLI is asking.
import * as path from 'node:path';
import type { JsonPlan } from './jsonHooks';
import type { HookInstallOptions } from './types';
import { copilotHome } from './userDirs';

export const COPILOT_EVENTS = ['preToolUse', 'postToolUse', 'sessionStart', 'sessionEnd', 'userPromptSubmitted'] as const;
export const COPILOT_TIMEOUT_S = 30;

export function copilotHooksFile(opts: HookInstallOptions): string {
  return opts.scope === 'project' ? path.join(opts.repoRoot, '.github', 'hooks', 'lockstep.json') : path.join(copilotHome(opts), 'hooks', 'lockstep.json');
}

export function copilotPlan(opts: HookInstallOptions): JsonPlan {
  const entry = { type: 'command', bash: opts.command, timeoutSec: COPILOT_TIMEOUT_S };
  return {
    kind: 'json',
    file: copilotHooksFile(opts),
    layout: 'flat',
    header: { version: 1 },
    registrations: COPILOT_EVENTS.map((event) => ({ event, entry })),
    ownFile: true,
  };
}
