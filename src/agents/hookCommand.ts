// The command line that runs this installation's `lockstep` CLI from an agent's hook configuration
// (and from the scheduler's `lockstep` shim): the running runtime and dist/cli.js, by absolute path,
// quoted for /bin/sh. In desktop VS Code the coordinator runs under Electron (forked by
// vscode-languageclient), whose binary acts as node only with ELECTRON_RUN_AS_NODE=1.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AgentName } from '../core/model';

/** The runtime that will run dist/cli.js: an executable, and whether it is Electron. */
export interface NodeRuntime {
  execPath: string;
  electron: boolean;
}

export function currentNodeRuntime(): NodeRuntime {
  return { execPath: process.execPath, electron: typeof process.versions.electron === 'string' };
}

/** `s` as one /bin/sh word: bare when it holds only safe characters, else single-quoted. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * `<runtime> <cliJs>`, ready for arguments. Under Electron it starts with `env ELECTRON_RUN_AS_NODE=1`
 * rather than a bare assignment, so it also works after `exec` (Cline's hook scripts, the shim).
 */
export function cliCommandLine(cliJs: string, runtime: NodeRuntime = currentNodeRuntime()): string {
  const prefix = runtime.electron ? 'env ELECTRON_RUN_AS_NODE=1 ' : '';
  return `${prefix}${shellQuote(runtime.execPath)} ${shellQuote(cliJs)}`;
}

/** The hook command an agent's configuration runs: `<runtime> <cliJs> hook --agent <agent>`. */
export function hookCommandLine(agent: AgentName, cliJs: string, runtime: NodeRuntime = currentNodeRuntime()): string {
  return `${cliCommandLine(cliJs, runtime)} hook --agent ${agent}`;
}

/** True when an executable `lockstep` is on PATH (a global install). */
function lockstepOnPath(env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, 'lockstep'), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** `lockstep hook --agent A` when `lockstep` is on PATH, else this runtime and `cliJs` by absolute path. */
export function defaultHookCommand(agent: AgentName, cliJs: string, env: NodeJS.ProcessEnv = process.env): string {
  return lockstepOnPath(env) ? `lockstep hook --agent ${agent}` : hookCommandLine(agent, cliJs);
}
