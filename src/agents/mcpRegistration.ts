// Registers (and removes) `lockstep mcp` where each agent reads its MCP servers, merged into what
// is there: other servers and settings are kept, a second registration changes no byte, a malformed
// file is reported in one line and left untouched. The entry is always named `lockstep`.
//
//            project                      user
//   claude   .mcp.json                    (none: Claude Code keeps user servers in ~/.claude.json, its own state file)
//   codex    .codex/config.toml           $CODEX_HOME/config.toml (~/.codex)   [mcp_servers.lockstep]
//   vscode   .vscode/mcp.json (servers)   (none: user MCP servers live in the VS Code profile)
//   gemini   .gemini/settings.json        ~/.gemini/settings.json
//   cursor   .cursor/mcp.json             ~/.cursor/mcp.json
// Copilot CLI, Cline and Windsurf: no registration (their MCP settings live in their own apps).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { AgentName } from '../core/model';
import type { HookScope } from './hookInstall';

export interface McpServerCommand {
  command: string;
  args: string[];
}

export interface McpRegistrationOptions {
  agent: AgentName;
  scope: HookScope;
  repoRoot: string;
  server: McpServerCommand;
  home?: string;
  env?: NodeJS.ProcessEnv;
}

export interface McpRegistrationResult {
  /** The file written; undefined when the agent has no MCP configuration Lockstep writes. */
  file?: string;
  changed: boolean;
}

export class McpRegistrationError extends Error {
  override readonly name = 'McpRegistrationError';
}

export const MCP_SERVER_NAME = 'lockstep';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

interface JsonTarget {
  kind: 'json';
  file: string;
  /** The object holding servers by name. */
  key: 'mcpServers' | 'servers';
  entry: Json;
}

interface TomlTarget {
  kind: 'toml';
  file: string;
}

function targetFor(opts: McpRegistrationOptions): JsonTarget | TomlTarget | undefined {
  const home = opts.home ?? os.homedir();
  const env = opts.env ?? process.env;
  const project = opts.scope === 'project';
  const { command, args } = opts.server;
  switch (opts.agent) {
    case 'claude':
      return project ? { kind: 'json', file: path.join(opts.repoRoot, '.mcp.json'), key: 'mcpServers', entry: { type: 'stdio', command, args } } : undefined;
    case 'codex':
      return { kind: 'toml', file: project ? path.join(opts.repoRoot, '.codex', 'config.toml') : path.join(env.CODEX_HOME || path.join(home, '.codex'), 'config.toml') };
    case 'vscode':
      return project ? { kind: 'json', file: path.join(opts.repoRoot, '.vscode', 'mcp.json'), key: 'servers', entry: { type: 'stdio', command, args } } : undefined;
    case 'gemini':
      return { kind: 'json', file: path.join(project ? opts.repoRoot : home, '.gemini', 'settings.json'), key: 'mcpServers', entry: { command, args } };
    case 'cursor':
      return { kind: 'json', file: path.join(project ? opts.repoRoot : home, '.cursor', 'mcp.json'), key: 'mcpServers', entry: { command, args } };
    default:
      return undefined;
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new McpRegistrationError(`${file}: cannot read: ${(e as Error).message}`);
  }
}

function readJson(file: string): Json | undefined {
  const text = readText(file);
  if (text === undefined || text.trim() === '') return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new McpRegistrationError(`${file}: not valid JSON; fix it, then install again (nothing was written)`);
  }
  if (!isObj(data)) throw new McpRegistrationError(`${file}: expected a JSON object; nothing was written`);
  return data;
}

function writeText(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** The `[mcp_servers.lockstep]` table of a TOML file: its text range, when present. */
function tomlSection(text: string): { start: number; end: number } | undefined {
  const header = /^\[mcp_servers\.(?:lockstep|"lockstep")\][ \t]*$/m.exec(text);
  if (!header) return undefined;
  const rest = text.slice(header.index + header[0].length);
  const next = /^\[/m.exec(rest);
  return { start: header.index, end: next ? header.index + header[0].length + next.index : text.length };
}

function tomlString(s: string): string {
  return JSON.stringify(s); // a TOML basic string is a JSON string for everything we write
}

function tomlEntry(server: McpServerCommand): string {
  return `[mcp_servers.${MCP_SERVER_NAME}]\ncommand = ${tomlString(server.command)}\nargs = [${server.args.map(tomlString).join(', ')}]\n`;
}

export function registerMcpServer(opts: McpRegistrationOptions): McpRegistrationResult {
  const target = targetFor(opts);
  if (!target) return { changed: false };
  if (target.kind === 'toml') {
    const text = readText(target.file) ?? '';
    const entry = tomlEntry(opts.server);
    const at = tomlSection(text);
    const next = at ? `${text.slice(0, at.start)}${entry}${at.end < text.length ? '\n' : ''}${text.slice(at.end).replace(/^\n+/, '')}` : `${text}${text && !text.endsWith('\n') ? '\n' : ''}${text ? '\n' : ''}${entry}`;
    if (next === text) return { file: target.file, changed: false };
    writeText(target.file, next);
    return { file: target.file, changed: true };
  }
  const data = readJson(target.file) ?? {};
  const servers = data[target.key];
  if (servers !== undefined && !isObj(servers)) throw new McpRegistrationError(`${target.file}: "${target.key}" is not an object; nothing was written`);
  if (isObj(servers) && isDeepStrictEqual(servers[MCP_SERVER_NAME], target.entry)) return { file: target.file, changed: false };
  writeText(target.file, `${JSON.stringify({ ...data, [target.key]: { ...(servers ?? {}), [MCP_SERVER_NAME]: target.entry } }, null, 2)}\n`);
  return { file: target.file, changed: true };
}

export function unregisterMcpServer(opts: Omit<McpRegistrationOptions, 'server'>): McpRegistrationResult {
  const target = targetFor({ ...opts, server: { command: '', args: [] } });
  if (!target) return { changed: false };
  if (target.kind === 'toml') {
    const text = readText(target.file);
    const at = text === undefined ? undefined : tomlSection(text);
    if (text === undefined || !at) return { file: target.file, changed: false };
    const next = `${text.slice(0, at.start)}${text.slice(at.end)}`.replace(/\n{3,}/g, '\n\n');
    if (next.trim() === '') fs.rmSync(target.file);
    else writeText(target.file, next);
    return { file: target.file, changed: true };
  }
  const data = readJson(target.file);
  const servers = data?.[target.key];
  if (!data || !isObj(servers) || !(MCP_SERVER_NAME in servers)) return { file: target.file, changed: false };
  const { [MCP_SERVER_NAME]: _removed, ...others } = servers;
  const rest: Json = { ...data, [target.key]: others };
  if (Object.keys(others).length === 0) delete rest[target.key];
  if (Object.keys(rest).length === 0) fs.rmSync(target.file);
  else writeText(target.file, `${JSON.stringify(rest, null, 2)}\n`);
  return { file: target.file, changed: true };
}
