// Whether an agent will actually run the hooks in a configuration file, beyond the file's content:
// each agent has its own gate, and each skips hooks silently when the gate is shut.
//   Codex: project hooks only in a trusted project ([projects."<dir>"] trust_level = "trusted"), and
//          every unmanaged hook only once its hash is approved ([hooks.state."<file>:<event>:<g>:<h>"]
//          trusted_hash, written by Codex's /hooks review), both in $CODEX_HOME/config.toml.
//   Gemini CLI: project settings only in a trusted folder (~/.gemini/trustedFolders.json) when folder
//          trust is on.
//   Copilot CLI: repository hooks (.github/hooks) only in a trusted folder (~/.copilot/config.json
//          trusted_folders); user hooks run everywhere.
//   Claude Code: `disableAllHooks: true` in any settings file turns hooks off (a managed policy's wins),
//          and a managed `allowManagedHooksOnly: true` ignores user and project hooks.
// Each check returns the problems (one line each, with the one step that fixes it); [] = will run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { AgentName } from '../../core/model';
import { isObj, parseJsonc, type Json } from './jsoncFile';
import type { HookScope } from './types';
import { claudeConfigDir, codexHome, copilotHome, geminiDir } from './userDirs';

export interface TrustContext {
  agent: AgentName;
  scope: HookScope;
  repoRoot: string;
  /** The main checkout of the repository (differs from repoRoot in a linked worktree). */
  mainRoot?: string;
  /** The configuration file holding Lockstep's hooks. */
  file: string;
  /** Lockstep's handlers in that file: event, group index, handler index. */
  handlers: Array<{ event: string; group: number; handler: number }>;
  home?: string;
  env?: NodeJS.ProcessEnv;
}

function readJsonFile(file: string): Json | undefined {
  try {
    const v = parseJsonc(file, fs.readFileSync(file, 'utf8'));
    return isObj(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function realpathOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

const within = (dir: string, root: string) => dir === root || dir.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/** Codex's snake_case event label, as in its hook state keys. */
function codexEventLabel(event: string): string {
  return event.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

export function codexProblems(ctx: TrustContext): string[] {
  const configFile = path.join(codexHome(ctx), 'config.toml');
  let config: Record<string, unknown> = {};
  try {
    config = parseToml(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return [`Codex: cannot read ${configFile} (${(e as Error).message.split('\n')[0]}); Codex will not start either until it is fixed`];
  }
  const problems: string[] = [];
  const fix = `run \`codex\` in ${ctx.repoRoot}, type /hooks and approve Lockstep's hooks (once: the command never changes, so updates keep the approval)`;
  if (ctx.scope === 'project') {
    const projects = isObj(config.projects) ? config.projects : {};
    const roots = [...new Set([ctx.repoRoot, realpathOr(ctx.repoRoot), ...(ctx.mainRoot ? [ctx.mainRoot, realpathOr(ctx.mainRoot)] : [])])];
    const trusted = roots.some((r) => isObj(projects[r]) && (projects[r] as Json).trust_level === 'trusted');
    if (!trusted) problems.push(`Codex runs ${path.relative(ctx.repoRoot, ctx.file) || ctx.file} only in a trusted project, and ${ctx.repoRoot} is not trusted in ${configFile}: run \`codex\` there and trust the folder (or use --scope user)`);
  }
  const state = isObj(config.hooks) && isObj((config.hooks as Json).state) ? ((config.hooks as Json).state as Json) : {};
  const keys = [...new Set([ctx.file, realpathOr(ctx.file)])];
  let unapproved = 0;
  let disabled = 0;
  for (const h of ctx.handlers) {
    const entry = keys.map((k) => state[`${k}:${codexEventLabel(h.event)}:${h.group}:${h.handler}`]).find(isObj);
    if (entry?.enabled === false) disabled++;
    else if (typeof entry?.trusted_hash !== 'string') unapproved++;
  }
  if (unapproved) problems.push(`Codex skips ${unapproved} of Lockstep's ${ctx.handlers.length} hooks in ${ctx.file} until you approve them: ${fix}`);
  if (disabled) problems.push(`${disabled} of Lockstep's hooks in ${ctx.file} are disabled in ${configFile}: enable them in Codex's /hooks`);
  return problems;
}

type GeminiTrust = 'TRUST_FOLDER' | 'TRUST_PARENT' | 'DO_NOT_TRUST';

export function geminiProblems(ctx: TrustContext): string[] {
  if (ctx.scope !== 'project') return [];
  const env = ctx.env ?? process.env;
  const settings = readJsonFile(path.join(geminiDir(ctx), 'settings.json'));
  const folderTrust = isObj(settings?.security) && isObj((settings!.security as Json).folderTrust) ? ((settings!.security as Json).folderTrust as Json).enabled : undefined;
  if (folderTrust === false) return [];
  const file = env.GEMINI_CLI_TRUSTED_FOLDERS_PATH || path.join(geminiDir(ctx), 'trustedFolders.json');
  const rules = readJsonFile(file) ?? {};
  const root = realpathOr(ctx.repoRoot);
  let best: { dir: string; level: GeminiTrust } | undefined;
  for (const [p, level] of Object.entries(rules)) {
    if (level !== 'TRUST_FOLDER' && level !== 'TRUST_PARENT' && level !== 'DO_NOT_TRUST') continue;
    const dir = level === 'TRUST_PARENT' ? path.dirname(path.resolve(p)) : path.resolve(p);
    if ((within(root, dir) || within(ctx.repoRoot, dir)) && (!best || dir.length > best.dir.length)) best = { dir, level };
  }
  if (best && best.level !== 'DO_NOT_TRUST') return [];
  const why = best ? `is marked DO_NOT_TRUST in ${file}` : `is not in ${file}`;
  return [`Gemini CLI reads ${path.relative(ctx.repoRoot, ctx.file)} only in a trusted folder, and ${ctx.repoRoot} ${why}: run \`gemini\` there and trust the folder (or use --scope user)`];
}

export function copilotProblems(ctx: TrustContext): string[] {
  if (ctx.scope !== 'project' || ctx.agent === 'vscode') return [];
  const file = path.join(copilotHome(ctx), 'config.json');
  const config = readJsonFile(file);
  const folders = Array.isArray(config?.trusted_folders) ? (config!.trusted_folders as unknown[]).filter((f): f is string => typeof f === 'string') : [];
  const root = realpathOr(ctx.repoRoot);
  if (folders.some((f) => within(root, path.resolve(f)) || within(ctx.repoRoot, path.resolve(f)))) return [];
  return [`Copilot CLI ignores repository hooks (${path.relative(ctx.repoRoot, ctx.file)}) in a folder you have not trusted, and ${ctx.repoRoot} is not in ${file}: trust it when \`copilot\` asks, or install with --scope user (user hooks run everywhere)`];
}

/** Claude Code's managed settings file for this platform. */
function claudeManagedSettings(): string {
  if (process.platform === 'darwin') return '/Library/Application Support/ClaudeCode/managed-settings.json';
  return '/etc/claude-code/managed-settings.json';
}

export function claudeProblems(ctx: TrustContext, managedFile = claudeManagedSettings()): string[] {
  const managed = readJsonFile(managedFile);
  if (managed?.disableAllHooks === true) return [`Claude Code runs no hooks: the managed policy ${managedFile} sets disableAllHooks (ask whoever manages this machine)`];
  if (managed?.allowManagedHooksOnly === true) return [`Claude Code runs only managed hooks: ${managedFile} sets allowManagedHooksOnly, so ${ctx.file} is ignored (ask whoever manages this machine to add Lockstep's hook there)`];
  const files = [path.join(claudeConfigDir(ctx), 'settings.json'), path.join(ctx.repoRoot, '.claude', 'settings.json'), path.join(ctx.repoRoot, '.claude', 'settings.local.json')];
  for (const f of files) {
    if (readJsonFile(f)?.disableAllHooks === true) return [`Claude Code runs no hooks: ${f} sets "disableAllHooks": true (remove it)`];
  }
  return [];
}

/** The problems that keep `agent` from running the hooks in `ctx.file`; [] when nothing stands in the way. */
export function agentTrustProblems(ctx: TrustContext): string[] {
  switch (ctx.agent) {
    case 'codex':
      return codexProblems(ctx);
    case 'gemini':
      return geminiProblems(ctx);
    case 'copilot':
    case 'vscode':
      return ctx.file.includes(`${path.sep}.claude${path.sep}`) ? claudeProblems(ctx) : copilotProblems(ctx);
    case 'claude':
      return claudeProblems(ctx);
    default:
      return [];
  }
}
