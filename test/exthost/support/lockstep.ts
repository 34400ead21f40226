// The extension under test, its test API, the real `lockstep` CLI, and waiting for what the extension shows.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LockstepTestApi } from '../../../src/extension/testApi';
export { waitFor } from '../../e2e/harness/waitFor';

export const EXTENSION_ID = 'lockstep-dev.lockstep';

export function extension(): vscode.Extension<LockstepTestApi> {
  const ext = vscode.extensions.getExtension<LockstepTestApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded in this extension host`);
  return ext;
}

/** Activates the extension (a no-op when it already is) and returns its test API. */
export async function activate(): Promise<LockstepTestApi> {
  const api = await extension().activate();
  if (!api) throw new Error(`${EXTENSION_ID} activated without returning its test API`);
  return api;
}

/** Command ids the extension contributes in package.json (read at run time, so new commands are covered). */
export function contributedCommands(): string[] {
  const cmds = (extension().packageJSON.contributes?.commands ?? []) as { command: string }[];
  return cmds.map((c) => c.command);
}

/** The folder the extension host opened. */
export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the extension host opened no folder');
  return fs.realpathSync(folder.uri.fsPath);
}

export function fileUri(rel: string): vscode.Uri {
  return vscode.Uri.file(path.join(workspaceRoot(), ...rel.split('/')));
}

/** Runs the built CLI (dist/cli.js) in the workspace folder as its own process; throws on a non-zero exit. */
export function lockstep(...args: string[]): string {
  return lockstepWith({}, ...args);
}

/** `lockstep` run as session `session` (LOCKSTEP_SESSION, as the scheduler starts agents). */
export function lockstepAs(session: string, ...args: string[]): string {
  return lockstepWith({ LOCKSTEP_SESSION: session }, ...args);
}

function lockstepWith(env: NodeJS.ProcessEnv, ...args: string[]): string {
  const cli = path.join(extension().extensionPath, 'dist', 'cli.js');
  // Under desktop VS Code process.execPath is Electron: ELECTRON_RUN_AS_NODE makes it plain Node.
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: workspaceRoot(),
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ...env },
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`lockstep ${args.join(' ')} exited ${r.status}: ${r.stderr || r.stdout || r.error?.message}`);
  return r.stdout;
}

/** Owner tokens of the leases `claim` took, by file: releasing needs the owner's token (or its agent process). */
const ownerTokens = new Map<string, { session: string; token: string }>();

/** `lockstep claim <files> --session <session>`, keeping each lease's owner token for `release`. */
export function claim(session: string, ...files: string[]): void {
  const out = JSON.parse(lockstep('claim', ...files, '--session', session, '--json')) as { leases: { key: string; ownerToken: string }[] };
  for (const l of out.leases) ownerTokens.set(l.key, { session, token: l.ownerToken });
}

/** Releases the named files of `session` (all of its leases when none are named) with the owner tokens `claim` kept. */
export function release(session: string, ...files: string[]): void {
  const mine = [...ownerTokens].filter(([key, o]) => o.session === session && (files.length === 0 || files.includes(key)));
  for (const [key, o] of mine) {
    lockstep('release', key, '--token', o.token);
    ownerTokens.delete(key);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs a command and fails the test if it does not settle in time (a prompt left open would hang it). */
export async function runCommand(id: string, ...args: unknown[]): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${id} did not finish within 30 s`)), 30_000);
  });
  try {
    return await Promise.race([vscode.commands.executeCommand(id, ...args), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sets a user setting (undefined removes it). */
export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('lockstep').update(key, value, vscode.ConfigurationTarget.Global);
}
