// Writes (and removes) Lockstep's entries in each agent's hook configuration, merging into what the
// user already has: other hooks and settings are kept as they are, a second install changes no byte,
// a malformed file is reported in one line and left untouched. Lockstep's own entries are the
// ones whose command runs `lockstep hook` (or `<…>/cli.js hook`), so a reinstall with another
// command replaces them instead of adding a second one.
//
// Where each agent reads hooks (AGENT-HOOKS.md):
//   claude   .claude/settings.json          ~/.claude/settings.json (CLAUDE_CONFIG_DIR)
//   codex    .codex/hooks.json              $CODEX_HOME/hooks.json (~/.codex)
//   gemini   .gemini/settings.json          ~/.gemini/settings.json
//   vscode   .github/hooks/lockstep.json    ~/.claude/settings.json (VS Code's only user location)
//   copilot  .github/hooks/lockstep.json    (Copilot CLI has no user-level hook file)
//   cursor   .cursor/hooks.json             ~/.cursor/hooks.json
//   cline    .clinerules/hooks/<Event>      ~/Documents/Cline/Hooks/<Event> (executable scripts)
//   windsurf .windsurf/hooks.json           ~/.codeium/windsurf/hooks.json
// VS Code and Copilot CLI both read .github/hooks/*.json in Copilot CLI's format, so they share one
// file and one entry: the payload, not the --agent flag, tells the hook which of them is asking.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { AgentName } from '../core/model';
import { CLAUDE_HOOK_MATCHER } from './claude';
import { CODEX_HOOK_MATCHER } from './codex';
import { GEMINI_HOOK_MATCHER } from './gemini';

export type HookScope = 'project' | 'user';

export interface HookInstallOptions {
  agent: AgentName;
  scope: HookScope;
  /** The repository's worktree root (project scope). */
  repoRoot: string;
  /** The command line the agent runs, e.g. `lockstep hook --agent claude`. */
  command: string;
  /** Home folder for user scope (default: os.homedir(); CLAUDE_CONFIG_DIR/CODEX_HOME apply only when absent). */
  home?: string;
  /** Writes this JSON file instead of the agent's usual one (e.g. Claude's `.claude/settings.local.json`). */
  file?: string;
}

export interface HookInstallResult {
  /** The configuration file written (for Cline: the hooks folder). */
  file: string;
  changed: boolean;
}

/** A configuration Lockstep cannot merge into; nothing was written. */
export class HookInstallError extends Error {
  override readonly name = 'HookInstallError';
}

/** Seconds an agent waits for the hook; Lockstep answers in milliseconds unless its store is stuck. */
const HOOK_TIMEOUT_S = 30;

/** Matches `lockstep hook …`, `npx lockstep hook …`, `node '/x/dist/cli.js' hook …`. */
export function isLockstepHookCommand(cmd: unknown, command?: string): boolean {
  if (typeof cmd !== 'string') return false;
  return cmd === command || /(^|[\s/'"])(lockstep|cli\.js)['"]?\s+hook(\s|$)/.test(cmd);
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One hook registration: in which event, and the entry the agent's format wants there. */
interface Registration {
  event: string;
  entry: Json;
}

interface JsonPlan {
  kind: 'json';
  file: string;
  /** grouped: Claude's {matcher, hooks:[…]} groups; flat: one entry per command. */
  layout: 'grouped' | 'flat';
  /** Fields a new file starts with (and that are added when missing). */
  header: Json;
  registrations: Registration[];
  /** The file holds nothing but Lockstep's hooks: removed when uninstall empties it. */
  ownFile: boolean;
}

interface ScriptPlan {
  kind: 'scripts';
  dir: string;
  events: string[];
}

type Plan = JsonPlan | ScriptPlan;

function claudeGroups(command: string, matcherFor: (event: string) => string | undefined, events: string[], timeout: number, extra: Json = {}): Registration[] {
  return events.map((event) => {
    const matcher = matcherFor(event);
    const hook = { type: 'command', command, timeout, ...extra };
    return { event, entry: matcher ? { matcher, hooks: [hook] } : { hooks: [hook] } };
  });
}

function userHome(opts: HookInstallOptions): string {
  return opts.home ?? os.homedir();
}

function claudeSettingsPath(opts: HookInstallOptions): string {
  if (opts.scope === 'project') return path.join(opts.repoRoot, '.claude', 'settings.json');
  const dir = opts.home ? path.join(opts.home, '.claude') : process.env.CLAUDE_CONFIG_DIR || path.join(os.homedir(), '.claude');
  return path.join(dir, 'settings.json');
}

function claudePlan(opts: HookInstallOptions, file: string): JsonPlan {
  // PostToolUseFailure and PermissionDenied say an edit did not happen; Stop and SubagentStop end a
  // thread's turn: both release a lease granted for an edit that never came (src/cli/unconfirmedLeases.ts).
  const edit = (e: string) => (['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionDenied'].includes(e) ? CLAUDE_HOOK_MATCHER : undefined);
  return {
    kind: 'json',
    file,
    layout: 'grouped',
    header: {},
    registrations: claudeGroups(
      opts.command,
      edit,
      ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PermissionDenied', 'SessionStart', 'SessionEnd', 'UserPromptSubmit', 'Stop', 'SubagentStop'],
      HOOK_TIMEOUT_S,
    ),
    ownFile: false,
  };
}

function copilotPlan(opts: HookInstallOptions): JsonPlan {
  if (opts.scope === 'user') throw new HookInstallError(`${opts.agent}: Copilot CLI reads hooks only from the repository's .github/hooks/; use --scope project`);
  const entry = { type: 'command', bash: opts.command, timeoutSec: HOOK_TIMEOUT_S };
  return {
    kind: 'json',
    file: path.join(opts.repoRoot, '.github', 'hooks', 'lockstep.json'),
    layout: 'flat',
    header: { version: 1 },
    registrations: ['preToolUse', 'postToolUse', 'sessionStart', 'sessionEnd'].map((event) => ({ event, entry })),
    ownFile: true,
  };
}

/** Where and what to write for one agent and scope. */
export function hookPlanFor(opts: HookInstallOptions): Plan {
  const { agent, scope, repoRoot, command } = opts;
  const home = () => userHome(opts);
  switch (agent) {
    case 'claude':
      return claudePlan(opts, claudeSettingsPath(opts));
    case 'vscode':
      return scope === 'project' ? copilotPlan(opts) : claudePlan(opts, claudeSettingsPath(opts));
    case 'copilot':
      return copilotPlan(opts);
    case 'codex': {
      const dir = scope === 'project' ? path.join(repoRoot, '.codex') : opts.home ? path.join(opts.home, '.codex') : process.env.CODEX_HOME || path.join(os.homedir(), '.codex');
      const patch = (e: string) => (e === 'PreToolUse' || e === 'PostToolUse' ? CODEX_HOOK_MATCHER : undefined);
      return {
        kind: 'json',
        file: path.join(dir, 'hooks.json'),
        layout: 'grouped',
        header: {},
        registrations: claudeGroups(command, patch, ['PreToolUse', 'PostToolUse', 'SessionStart', 'SessionEnd', 'UserPromptSubmit'], HOOK_TIMEOUT_S),
        ownFile: false,
      };
    }
    case 'gemini': {
      const dir = scope === 'project' ? path.join(repoRoot, '.gemini') : path.join(home(), '.gemini');
      const write = (e: string) => (e === 'BeforeTool' || e === 'AfterTool' ? GEMINI_HOOK_MATCHER : undefined);
      return {
        kind: 'json',
        file: path.join(dir, 'settings.json'),
        layout: 'grouped',
        header: {},
        // Gemini's timeouts are in milliseconds.
        registrations: claudeGroups(command, write, ['BeforeTool', 'AfterTool', 'SessionStart', 'SessionEnd', 'BeforeAgent'], HOOK_TIMEOUT_S * 1000, { name: 'lockstep' }),
        ownFile: false,
      };
    }
    case 'cursor': {
      const dir = scope === 'project' ? path.join(repoRoot, '.cursor') : path.join(home(), '.cursor');
      const entry = { command };
      return {
        kind: 'json',
        file: path.join(dir, 'hooks.json'),
        layout: 'flat',
        header: { version: 1 },
        registrations: ['preToolUse', 'beforeShellExecution', 'afterFileEdit', 'sessionStart', 'sessionEnd'].map((event) => ({ event, entry })),
        ownFile: false,
      };
    }
    case 'windsurf': {
      const file = scope === 'project' ? path.join(repoRoot, '.windsurf', 'hooks.json') : path.join(home(), '.codeium', 'windsurf', 'hooks.json');
      return {
        kind: 'json',
        file,
        layout: 'flat',
        header: {},
        registrations: [
          { event: 'pre_write_code', entry: { command, show_output: true } },
          { event: 'post_write_code', entry: { command } },
          { event: 'pre_run_command', entry: { command, show_output: true } },
          { event: 'post_run_command', entry: { command } },
        ],
        ownFile: false,
      };
    }
    case 'cline':
      return {
        kind: 'scripts',
        dir: scope === 'project' ? path.join(repoRoot, '.clinerules', 'hooks') : path.join(home(), 'Documents', 'Cline', 'Hooks'),
        events: ['PreToolUse', 'PostToolUse', 'TaskStart', 'TaskResume', 'TaskComplete', 'TaskCancel', 'UserPromptSubmit'],
      };
    default:
      throw new HookInstallError(`${agent}: no hook system to install into`);
  }
}

// ---------- JSON configuration files ----------

interface LoadedJson {
  exists: boolean;
  text: string;
  data: Json;
}

function displayPath(file: string): string {
  return file;
}

function loadJson(file: string): LoadedJson {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, text: '', data: {} };
    throw new HookInstallError(`${displayPath(file)}: cannot read (${(e as Error).message.split('\n')[0]}); nothing was changed`);
  }
  if (text.trim() === '') return { exists: true, text, data: {} };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new HookInstallError(`${displayPath(file)}: not valid JSON (${(e as Error).message.split('\n')[0]}); fix it by hand, nothing was changed`);
  }
  if (!isObj(data)) throw new HookInstallError(`${displayPath(file)}: must hold a JSON object; nothing was changed`);
  return { exists: true, text, data };
}

/** The existing `hooks` object and event arrays Lockstep touches, validated before any change. */
function hooksOf(file: string, data: Json, events: string[]): Json {
  const hooks = data.hooks;
  if (hooks === undefined) return {};
  if (!isObj(hooks)) throw new HookInstallError(`${displayPath(file)}: "hooks" must be an object; nothing was changed`);
  for (const event of events) {
    if (hooks[event] !== undefined && !Array.isArray(hooks[event])) {
      throw new HookInstallError(`${displayPath(file)}: "hooks.${event}" must be an array; nothing was changed`);
    }
  }
  return hooks;
}

function entryIsOurs(entry: unknown, layout: JsonPlan['layout'], command: string): boolean {
  if (!isObj(entry)) return false;
  if (layout === 'flat') return isLockstepHookCommand(entry.command, command) || isLockstepHookCommand(entry.bash, command);
  return Array.isArray(entry.hooks) && entry.hooks.some((h) => isObj(h) && isLockstepHookCommand(h.command, command));
}

/** The event's entries with Lockstep's removed; a user's group that also held Lockstep's hook keeps its other hooks. */
function withoutOurs(list: unknown[], layout: JsonPlan['layout'], command: string): { kept: unknown[]; firstOurs: number } {
  const kept: unknown[] = [];
  let firstOurs = -1;
  for (const entry of list) {
    if (!entryIsOurs(entry, layout, command)) {
      kept.push(entry);
      continue;
    }
    if (firstOurs < 0) firstOurs = kept.length;
    if (layout === 'grouped') {
      const group = entry as Json;
      const others = (group.hooks as unknown[]).filter((h) => !(isObj(h) && isLockstepHookCommand(h.command, command)));
      if (others.length > 0) kept.push({ ...group, hooks: others });
    }
  }
  return { kept, firstOurs };
}

function detectIndent(text: string): string {
  const m = /^([ \t]+)"/m.exec(text);
  return m ? m[1] : '  ';
}

function writeAtomic(file: string, text: string, mode?: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.lockstep-${process.pid}.tmp`);
  fs.writeFileSync(tmp, text, mode === undefined ? undefined : { mode });
  if (mode !== undefined) fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

function saveJson(file: string, loaded: LoadedJson, data: Json): boolean {
  if (loaded.exists && isDeepStrictEqual(loaded.data, data)) return false;
  const text = `${JSON.stringify(data, null, detectIndent(loaded.text))}\n`;
  if (loaded.exists && text === loaded.text) return false;
  const mode = loaded.exists ? fs.statSync(file).mode & 0o7777 : undefined;
  writeAtomic(file, text, mode);
  return true;
}

function installJson(plan: JsonPlan, command: string): HookInstallResult {
  const loaded = loadJson(plan.file);
  const events = [...new Set(plan.registrations.map((r) => r.event))];
  const hooks = { ...hooksOf(plan.file, loaded.data, events) };
  for (const { event, entry } of plan.registrations) {
    const { kept, firstOurs } = withoutOurs((hooks[event] as unknown[] | undefined) ?? [], plan.layout, command);
    // Lockstep's entry stays where it was, so a reinstall keeps the user's ordering.
    const at = firstOurs < 0 ? kept.length : firstOurs;
    hooks[event] = [...kept.slice(0, at), entry, ...kept.slice(at)];
  }
  const data: Json = loaded.exists ? { ...loaded.data } : { ...plan.header };
  for (const [k, v] of Object.entries(plan.header)) if (data[k] === undefined) data[k] = v;
  data.hooks = hooks;
  return { file: plan.file, changed: saveJson(plan.file, loaded, data) };
}

function uninstallJson(plan: JsonPlan, command: string): HookInstallResult {
  const loaded = loadJson(plan.file);
  if (!loaded.exists) return { file: plan.file, changed: false };
  // Only arrays can hold Lockstep's entries; other keys (Gemini's "enabled"…) are left alone.
  const events = Object.entries(isObj(loaded.data.hooks) ? loaded.data.hooks : {})
    .filter(([, v]) => Array.isArray(v))
    .map(([k]) => k);
  const hooks = { ...hooksOf(plan.file, loaded.data, events) };
  let removed = false;
  for (const event of events) {
    if (!Array.isArray(hooks[event])) continue;
    const { kept, firstOurs } = withoutOurs(hooks[event] as unknown[], plan.layout, command);
    if (firstOurs < 0) continue;
    removed = true;
    if (kept.length) hooks[event] = kept;
    else delete hooks[event];
  }
  if (!removed) return { file: plan.file, changed: false };
  const data: Json = { ...loaded.data, hooks };
  if (Object.keys(hooks).length === 0) delete data.hooks;
  if (plan.ownFile && Object.keys(data).every((k) => k in plan.header)) {
    fs.rmSync(plan.file);
    return { file: plan.file, changed: true };
  }
  return { file: plan.file, changed: saveJson(plan.file, loaded, data) };
}

// ---------- Cline: one executable script per event ----------

const SCRIPT_MARKER = '# Lockstep hook';

function clineScript(command: string, event: string): string {
  return [
    '#!/bin/sh',
    `${SCRIPT_MARKER} for Cline's ${event} event, written by \`lockstep hooks install --agent cline\`.`,
    '# Cline blocks the action when a hook exits non-zero, so Lockstep always answers in JSON.',
    `exec ${command}`,
    '',
  ].join('\n');
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HookInstallError(`${file}: cannot read (${(e as Error).message.split('\n')[0]}); nothing was changed`);
  }
}

function installScripts(plan: ScriptPlan, command: string): HookInstallResult {
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

function uninstallScripts(plan: ScriptPlan): HookInstallResult {
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

// ---------- public API ----------

export function installHooks(opts: HookInstallOptions): HookInstallResult {
  if (!opts.command.trim()) throw new HookInstallError('command must not be empty');
  const plan = hookPlanFor(opts);
  if (opts.file !== undefined && plan.kind === 'json') plan.file = opts.file;
  return plan.kind === 'scripts' ? installScripts(plan, opts.command) : installJson(plan, opts.command);
}

/** Removes only Lockstep's entries (and its Cline scripts); everything else stays byte for byte when nothing was Lockstep's. */
export function uninstallHooks(opts: HookInstallOptions): HookInstallResult {
  const plan = hookPlanFor(opts);
  return plan.kind === 'scripts' ? uninstallScripts(plan) : uninstallJson(plan, opts.command);
}
