// Cline: one executable script per event, named after it, in `.clinerules/hooks/` (project) or
// `~/Documents/Cline/Hooks/` (user). Lockstep's scripts carry a marker line; a user's own script of
// the same name is never overwritten. Cline blocks when a hook exits non-zero, so Lockstep answers in
// JSON with exit 0, and exits 2 (blocks) only when it cannot run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HookInstallError } from './installError';
import { writeAtomic } from './jsoncFile';
import type { HookInstallOptions, HookInstallResult } from './types';
import { userHome } from './userDirs';

export interface ScriptPlan {
  kind: 'scripts';
  dir: string;
  events: string[];
}

export const SCRIPT_MARKER = '# Lockstep hook';

export function clinePlan(opts: HookInstallOptions): ScriptPlan {
  return {
    kind: 'scripts',
    dir: opts.scope === 'project' ? path.join(opts.repoRoot, '.clinerules', 'hooks') : path.join(userHome(opts), 'Documents', 'Cline', 'Hooks'),
    events: ['PreToolUse', 'PostToolUse', 'TaskStart', 'TaskResume', 'TaskComplete', 'TaskCancel', 'UserPromptSubmit'],
  };
}

function clineScript(command: string, event: string): string {
  return ['#!/bin/sh', `${SCRIPT_MARKER} for Cline's ${event} event, written by \`lockstep hooks install --agent cline\`.`, command, ''].join('\n');
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HookInstallError(`${file}: cannot read (${(e as Error).message.split('\n')[0]}); nothing was changed`);
  }
}

/** The command line in one of Lockstep's Cline scripts (the line after the marker), for the doctor. */
export function clineScriptCommand(text: string): string | undefined {
  if (!text.includes(SCRIPT_MARKER)) return undefined;
  const lines = text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  return lines[lines.length - 1]?.replace(/^exec /, '');
}

export function installScripts(plan: ScriptPlan, command: string): HookInstallResult {
  const current = plan.events.map((event) => ({ event, file: path.join(plan.dir, event), text: readIfExists(path.join(plan.dir, event)) }));
  // Refuse before writing anything: a user's own script is never overwritten.
  const foreign = current.find((c) => c.text !== undefined && !c.text.includes(SCRIPT_MARKER));
  if (foreign) throw new HookInstallError(`${foreign.file}: a ${foreign.event} hook that is not Lockstep's already exists; merge it by hand, nothing was changed`);
  let changed = false;
  for (const c of current) {
    const wanted = clineScript(command, c.event);
    const executable = c.text !== undefined && (fs.statSync(c.file).mode & 0o111) === 0o111;
    if (c.text === wanted && executable) continue;
    writeAtomic(c.file, wanted, 0o755);
    changed = true;
  }
  return { file: plan.dir, changed };
}

export function uninstallScripts(plan: ScriptPlan): HookInstallResult {
  let changed = false;
  for (const event of plan.events) {
    const file = path.join(plan.dir, event);
    const text = readIfExists(file);
    if (text === undefined || !text.includes(SCRIPT_MARKER)) continue;
    fs.rmSync(file);
    changed = true;
  }
  return { file: plan.dir, changed };
}
