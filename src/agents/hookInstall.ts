// Writes (and removes) Lockstep's entries in each agent's hook configuration, merging into what the
// user already has: other hooks, settings and comments are kept as they are, a second install changes
// no byte, a malformed file is reported in one line and left untouched, a symlinked file is written
// through. Lockstep's own entries are recognised only by the marker its commands carry (marker.ts).
// Each agent's format lives in its own file under install/:
//
//   claude   .claude/settings.json          ~/.claude/settings.json (CLAUDE_CONFIG_DIR)
//   codex    .codex/hooks.json              $CODEX_HOME/hooks.json (~/.codex)
//   gemini   .gemini/settings.json          ~/.gemini/settings.json
//   vscode   .github/hooks/lockstep.json    ~/.claude/settings.json (VS Code's only user location)
//   copilot  .github/hooks/lockstep.json    $COPILOT_HOME/hooks/lockstep.json (~/.copilot)
//   cursor   .cursor/hooks.json             ~/.cursor/hooks.json
//   cline    .clinerules/hooks/<Event>      ~/Documents/Cline/Hooks/<Event> (executable scripts)
//   windsurf .windsurf/hooks.json           ~/.codeium/windsurf/hooks.json
// VS Code and Copilot CLI both read .github/hooks/*.json in Copilot CLI's format, so they share one
// file and one entry: the payload, not the --agent flag, tells the hook which of them is asking.
import { claudePlan, claudeSettingsPath } from './install/claude';
import { clinePlan, installScripts, uninstallScripts, type ScriptPlan } from './install/cline';
import { codexPlan } from './install/codex';
import { copilotPlan } from './install/copilot';
import { cursorPlan } from './install/cursor';
import { geminiPlan } from './install/gemini';
import { HookInstallError } from './install/installError';
import { installJson, uninstallJson, type JsonPlan } from './install/jsonHooks';
import { markCommand } from './install/marker';
import type { HookInstallOptions, HookInstallResult } from './install/types';
import { windsurfPlan } from './install/windsurf';

export { HookInstallError } from './install/installError';
export { isLockstepHookCommand } from './install/marker';
export type { HookInstallOptions, HookInstallResult, HookScope } from './install/types';

export type HookPlan = JsonPlan | ScriptPlan;

/** Where and what to write for one agent and scope (the command as given, marker added). */
export function hookPlanFor(opts: HookInstallOptions): HookPlan {
  const o = { ...opts, command: markCommand(opts.command) };
  switch (o.agent) {
    case 'claude':
      return claudePlan(o, o.file ?? claudeSettingsPath(o));
    case 'vscode':
      return o.scope === 'project' ? copilotPlan(o) : claudePlan(o, o.file ?? claudeSettingsPath(o));
    case 'copilot':
      return copilotPlan(o);
    case 'codex':
      return codexPlan(o);
    case 'gemini':
      return geminiPlan(o);
    case 'cursor':
      return cursorPlan(o);
    case 'windsurf':
      return windsurfPlan(o);
    case 'cline':
      return clinePlan(o);
    default:
      throw new HookInstallError(`${o.agent}: no hook system to install into`);
  }
}

export function installHooks(opts: HookInstallOptions): HookInstallResult {
  if (!opts.command.trim()) throw new HookInstallError('command must not be empty');
  const plan = hookPlanFor(opts);
  if (opts.file !== undefined && plan.kind === 'json') plan.file = opts.file;
  return plan.kind === 'scripts' ? installScripts(plan, markCommand(opts.command)) : installJson(plan);
}

/** Removes exactly Lockstep's entries (and its Cline scripts); everything else stays byte for byte. */
export function uninstallHooks(opts: HookInstallOptions): HookInstallResult {
  const plan = hookPlanFor(opts.command ? opts : { ...opts, command: 'lockstep' });
  if (opts.file !== undefined && plan.kind === 'json') plan.file = opts.file;
  return plan.kind === 'scripts' ? uninstallScripts(plan) : uninstallJson(plan);
}
