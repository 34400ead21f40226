// Who made an uncommitted change, from what was recorded: the sessions' recorded edits (hooks,
// transcripts: each after the write happened) and the shell commands they ran. Pure.
//
// The rule: a session's recorded edit explains the file's content when the file has not been
// modified since that edit (mtime <= the edit's time). A change nobody's edit explains was
// written some other way; when a session ran a shell command in that worktree as the file changed
// (the command finished at or after the write and, when its start is known, started before it),
// that session probably wrote it. Commands that name the file are preferred, then the first to
// finish after the write.
import * as path from 'node:path';

/** Clock jitter tolerated between a file's mtime and the time an edit or command was recorded. */
export const CLOCK_SLACK_MS = 20;

/** A shell command an agent session ran (from its hook events or its transcript). */
export interface ShellRun {
  session: string;
  /** realpath of the worktree it ran in */
  worktree: string;
  command: string;
  tool?: string;
  /** When the agent started it (ms), if known. */
  startedAt?: number;
  /** When its result came back (ms): after any write it made. */
  endedAt: number;
  source: 'hook' | 'transcript';
}

/** The newest recorded edit (time) of one file in one worktree by one session. */
export interface LastEdit {
  session: string;
  at: number;
}

/** True when the file has not changed since the edit recorded at `at`. */
export function editExplains(at: number, mtimeMs: number | undefined): boolean {
  return mtimeMs === undefined || mtimeMs <= at + CLOCK_SLACK_MS;
}

/** The shell command that most likely wrote `key` in `worktree` at `mtimeMs`, among those finished after `since`. */
export function probableShellRun(runs: readonly ShellRun[], worktree: string, key: string, mtimeMs: number, since: number): ShellRun | undefined {
  const base = path.posix.basename(key);
  let best: ShellRun | undefined;
  let bestNames = false;
  for (const r of runs) {
    if (r.worktree !== worktree) continue;
    if (r.endedAt + CLOCK_SLACK_MS < mtimeMs || r.endedAt < since) continue;
    if (r.startedAt !== undefined && r.startedAt > mtimeMs + CLOCK_SLACK_MS) continue;
    const names = r.command.includes(base);
    if (!best || (names && !bestNames) || (names === bestNames && r.endedAt < best.endedAt)) {
      best = r;
      bestNames = names;
    }
  }
  return best;
}

export function shortCommand(command: string): string {
  const one = command.replace(/\s+/g, ' ').trim();
  return one.length > 160 ? `${one.slice(0, 157)}...` : one;
}
