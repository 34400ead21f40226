// Which Claude Code will run the hooks, and whether it runs `mcp_tool` hook handlers: the `claude`
// on PATH, asked for its version. `hooks install --transport mcp` refuses one that is too old (it
// would not run the mcp_tool hooks, so edits would go unchecked) and the doctor says so. A Claude
// Code that is not on PATH (started by an IDE extension, say) cannot be checked: both say that.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The first Claude Code Lockstep checked `mcp_tool` hooks with `onFailure` against (test/realAgents). */
export const MCP_TOOL_MIN_CLAUDE = '2.1.328';

export interface ClaudeOnPath {
  binary: string;
  /** `2.1.328`; undefined when `claude --version` did not answer one. */
  version?: string;
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

const cache = new Map<string, ClaudeOnPath>();

/** The `claude` on PATH and its version (asked once per binary and modification time). */
export function claudeOnPath(env: NodeJS.ProcessEnv = process.env): ClaudeOnPath | undefined {
  const binary = findOnPath('claude', env);
  if (!binary) return undefined;
  let key = binary;
  try {
    key = `${fs.realpathSync(binary)}:${fs.statSync(binary).mtimeMs}`;
  } catch {
    /* keyed by path */
  }
  const hit = cache.get(key);
  if (hit) return hit;
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000, env: { ...env, DISABLE_AUTOUPDATER: '1' } });
  const version = /(\d+\.\d+\.\d+)/.exec(r.stdout ?? '')?.[1];
  const found = { binary, version };
  cache.set(key, found);
  return found;
}

/** a < b, a = b, a > b for dotted numeric versions: -1, 0, 1. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export interface McpToolSupport {
  /** false: the Claude Code on PATH is too old; undefined: not known (no claude on PATH, no version). */
  supported: boolean | undefined;
  /** One line: which Claude Code, and what that means. */
  detail: string;
}

/** Whether the Claude Code on PATH runs mcp_tool hooks. */
export function mcpToolSupport(env: NodeJS.ProcessEnv = process.env): McpToolSupport {
  const c = claudeOnPath(env);
  if (!c) return { supported: undefined, detail: `no claude on PATH, so its version (mcp_tool hooks need Claude Code ${MCP_TOOL_MIN_CLAUDE}+) was not checked` };
  if (!c.version) return { supported: undefined, detail: `${c.binary} --version named no version, so mcp_tool support (Claude Code ${MCP_TOOL_MIN_CLAUDE}+) was not checked` };
  if (compareVersions(c.version, MCP_TOOL_MIN_CLAUDE) < 0) {
    return { supported: false, detail: `Claude Code ${c.version} (${c.binary}) does not run mcp_tool hooks (they need ${MCP_TOOL_MIN_CLAUDE}+), so its edits would go unchecked` };
  }
  return { supported: true, detail: `Claude Code ${c.version} runs mcp_tool hooks` };
}
