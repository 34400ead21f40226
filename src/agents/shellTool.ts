// An agent's shell tool call as an edit: the files its command obviously writes (shellWrites.ts)
// are leased before it runs, all or none, like an edit tool's. A command that writes nothing the
// reader can name stays an ordinary tool call.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { looksLikePatch, patchPaths } from './applyPatch';
import type { HookEvent } from './dialect';

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A shell tool's command: a script string, or an argv array (Codex's older `shell`/`local_shell`). */
export function shellCommandOf(value: unknown): string | string[] | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length > 0 && value.every((x) => typeof x === 'string')) return value as string[];
  return undefined;
}

export interface ShellCallFields {
  /** The input field holding the command (default `command`). */
  command?: string;
  /** Input fields that may name the command's own working directory, absolute or relative to the agent's cwd. */
  workdir?: readonly string[];
}

/**
 * Reads a shell tool call's input (an object, as the agent sent it) into `event`: with writes, it
 * becomes a pre-/post-edit of those files. An input that is not what a shell tool sends is let
 * through with a note, never refused.
 */
export function readShellCall(event: HookEvent, input: unknown, pre: boolean, fields: ShellCallFields = {}): void {
  const commandField = fields.command ?? 'command';
  const obj = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : undefined;
  const command = shellCommandOf(obj?.[commandField]);
  if (command === undefined) {
    event.note = `${event.tool ?? 'shell'}: no ${commandField} to read in the tool input; let through unchecked`;
    event.quiet = true;
    return;
  }
  const dirField = fields.workdir?.find((f) => typeof obj?.[f] === 'string' && obj[f] !== '');
  const cwd = dirField ? path.resolve(event.cwd, obj![dirField] as string) : event.cwd;
  // The shell reader is the largest part of the hook: loaded for shell tool calls only (a require, so
  // esbuild evaluates it on first use).
  const { scanShellWrites } = require('./shellWrites') as typeof import('./shellWrites');
  const scan = scanShellWrites(command, { cwd, isDirectory });
  let paths = scan.writes.map((w) => w.path);
  // A patch piped through the shell in a form the reader does not follow (`apply_patch "$(cat <<'EOF' …)"`):
  // its envelope still names the files.
  if (paths.length === 0 && scan.unsure && typeof command === 'string' && looksLikePatch(command)) {
    paths = patchPaths(command).map((p) => path.resolve(cwd, p));
  }
  if (paths.length === 0) {
    // The common case (tests, builds, git…): answered at once, without opening the store.
    event.quiet = true;
    return;
  }
  event.kind = pre ? 'pre-edit' : 'post-edit';
  event.paths = paths;
  event.fromShell = true;
}
