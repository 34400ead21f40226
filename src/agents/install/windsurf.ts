// Windsurf: `.windsurf/hooks.json` (project) or `~/.codeium/windsurf/hooks.json` (user), flat entries.
import * as path from 'node:path';
import type { JsonPlan } from './jsonHooks';
import type { HookInstallOptions } from './types';
import { userHome } from './userDirs';

export function windsurfPlan(opts: HookInstallOptions): JsonPlan {
  const file = opts.scope === 'project' ? path.join(opts.repoRoot, '.windsurf', 'hooks.json') : path.join(userHome(opts), '.codeium', 'windsurf', 'hooks.json');
  return {
    kind: 'json',
    file,
    layout: 'flat',
    header: {},
    registrations: [
      { event: 'pre_write_code', entry: { command: opts.command, show_output: true } },
      { event: 'post_write_code', entry: { command: opts.command } },
      { event: 'pre_run_command', entry: { command: opts.command, show_output: true } },
      { event: 'post_run_command', entry: { command: opts.command } },
    ],
    ownFile: false,
  };
}
