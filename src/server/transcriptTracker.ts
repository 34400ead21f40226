// Follows agents' own transcripts, so sessions and the files they write show up even when no
// Lockstep hook is installed:
//  - Claude Code: `$CLAUDE_CONFIG_DIR|~/.claude/projects/<sanitized cwd>/*.jsonl`, for the cwd of
//    every worktree (and folders below it: the sanitized name then starts with the worktree's);
//  - Codex: `$CODEX_HOME|~/.codex/sessions/**/rollout-*.jsonl` whose session_meta cwd is inside one
//    of this repository's worktrees (others are ignored).
// Files are followed by byte offset (see JsonlTail); lines that are not JSON, or not entries the
// parsers know, are skipped. Facts live in memory: a restarted server re-reads recent transcripts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { claudeProjectDirFor, parseClaudeTranscriptLine, type TranscriptShellCall, type TranscriptToolResult } from '../agents/transcripts/claudeTranscript';
import { parseCodexRolloutLine } from '../agents/transcripts/codexTranscript';
import { keyFromAbsolute } from '../core/pathKey';
import { realpathDeep } from '../repoPaths/repoLocator';
import { CoalescingRunner } from './coalescingRunner';
import { watchDirectories, type DirectoryWatcher } from './directoryWatch';
import { editId, type ShellRun, type TranscriptEdit, type TranscriptSession } from '../engine/editingModel';
import { JsonlTail } from './jsonlTail';

/** Transcripts not written to for this long are not read at start (their sessions are over). */
export const TRANSCRIPT_WINDOW_MS = 24 * 60 * 60 * 1000;
const ROOT_POLL_MS = 1000;

type TranscriptKind = 'claude' | 'codex';

interface ParsedLine {
  sessionId?: string;
  cwd?: string;
  at?: number;
  edits: { path: string; tool?: string; toolUseId?: string }[];
  shells?: TranscriptShellCall[];
  results?: TranscriptToolResult[];
}

/** A tool call seen in a transcript whose result has not come yet. */
type PendingCall =
  | { kind: 'edit'; path: string; tool?: string; cwd: string; at: number }
  | { kind: 'shell'; command: string; tool: string; worktree: string; at: number };

/** Calls awaiting their result, per transcript. */
const MAX_PENDING_CALLS = 500;
/** Shell commands remembered (the newest), for attributing writes no hook saw. */
const MAX_SHELL_RUNS = 2000;

interface FollowedFile {
  kind: TranscriptKind;
  tail: JsonlTail;
  sessionId?: string;
  cwd?: string;
  worktree?: string;
  /** Belongs to another repository: never read again. */
  foreign: boolean;
  /** tool_use id / call_id → the calls awaiting that result. */
  pending: Map<string, PendingCall[]>;
}

/**
 * A tool result saying a hook or the user refused the call before it ran (Claude marks those
 * is_error too, but so is a command that ran and exited non-zero: that one may have written).
 */
function refusedBeforeRunning(result: TranscriptToolResult): boolean {
  if (result.isError) return /\bhook\b|permission to use|doesn't want to|denied by|blocked by|was rejected|\bis held by\b/i.test(result.text);
  return /^\W*(blocked|denied|rejected|refused)\b/i.test(result.text);
}

export interface TranscriptTrackerOptions {
  env: NodeJS.ProcessEnv;
  /** realpaths of the repository's worktrees (current). */
  worktreeRoots: () => string[];
  onChange: () => void;
  log: (message: string) => void;
}

export function claudeProjectsRoot(env: NodeJS.ProcessEnv): string {
  return path.dirname(claudeProjectDirFor('/', env));
}

export function codexSessionsRoot(env: NodeJS.ProcessEnv): string {
  return path.join(env.CODEX_HOME || path.join(env.HOME || os.homedir(), '.codex'), 'sessions');
}

export class TranscriptTracker {
  readonly sessions = new Map<string, TranscriptSession>();
  readonly edits = new Map<string, TranscriptEdit>();
  /** Shell commands the agents ran (only those whose result came back and was not a refusal). */
  readonly shellRuns = new Map<string, ShellRun>();
  private readonly files = new Map<string, FollowedFile>();
  private readonly watchers: DirectoryWatcher[] = [];
  private readonly rootPolls: NodeJS.Timeout[] = [];
  private readonly scan: CoalescingRunner;
  private closed = false;
  private claudeWatcher: DirectoryWatcher | undefined;
  private claudeWatchedPrefixes = '';
  private knownPrefixes = '';

  constructor(private readonly opts: TranscriptTrackerOptions) {
    this.scan = new CoalescingRunner(async () => this.scanAll(), 30, (e) => opts.log(`transcripts: ${String(e)}`));
  }

  get claudeRoot(): string {
    return claudeProjectsRoot(this.opts.env);
  }

  get codexRoot(): string {
    return codexSessionsRoot(this.opts.env);
  }

  start(): void {
    this.whenExists(this.claudeRoot, () => this.watchClaude());
    this.whenExists(this.codexRoot, () => this.watchCodex());
  }

  /** The worktree list changed: look for project folders of new worktrees. */
  worktreesChanged(): void {
    const prefixes = this.claudePrefixes().join('\n');
    if (prefixes === this.knownPrefixes) return;
    this.knownPrefixes = prefixes;
    // Project folders of new worktrees were skipped by the running watcher: watch again.
    if (this.claudeWatcher && prefixes !== this.claudeWatchedPrefixes) {
      const old = this.claudeWatcher;
      this.watchers.splice(this.watchers.indexOf(old), 1);
      void old.close();
      this.watchClaude();
    }
    this.scan.trigger();
  }

  async settled(): Promise<void> {
    await this.scan.idle();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.scan.close();
    for (const t of this.rootPolls) clearInterval(t);
    await Promise.allSettled(this.watchers.map((w) => w.close()));
  }

  // ---- discovery -----------------------------------------------------------------------------------

  /** Runs `start` once `dir` exists (agents create their folders on first use). */
  private whenExists(dir: string, start: () => void): void {
    if (isDirectory(dir)) return start();
    const timer = setInterval(() => {
      if (this.closed || !isDirectory(dir)) return;
      clearInterval(timer);
      start();
    }, ROOT_POLL_MS);
    timer.unref();
    this.rootPolls.push(timer);
  }

  /** Sanitized project-folder names of the worktrees (Claude's naming). */
  private claudePrefixes(): string[] {
    return this.opts.worktreeRoots().map((r) => path.basename(claudeProjectDirFor(r, this.opts.env)));
  }

  private isClaudeProjectDir(name: string): boolean {
    return this.claudePrefixes().some((p) => name === p || name.startsWith(`${p}-`));
  }

  private watchClaude(): void {
    const root = this.claudeRoot;
    this.claudeWatchedPrefixes = this.claudePrefixes().join('\n');
    const watcher = watchDirectories(root, {
      depth: 1,
      ignoreDir: (p) => !(path.dirname(p) === root && this.isClaudeProjectDir(path.basename(p))),
      onEvent: (dir, name) => {
        if (dir === root) return this.scan.trigger(); // a new project folder: files may predate its watch
        if (name.endsWith('.jsonl')) this.follow(path.join(dir, name), 'claude');
      },
      onReady: () => this.scan.trigger(),
      onError: (e) => this.opts.log(`watching ${root}: ${String(e)}`),
    });
    this.claudeWatcher = watcher;
    this.watchers.push(watcher);
    this.scan.trigger();
  }

  private watchCodex(): void {
    const root = this.codexRoot;
    const watcher = watchDirectories(root, {
      depth: 4,
      onEvent: (dir, name) => {
        if (/^rollout-.*\.jsonl$/.test(name)) this.follow(path.join(dir, name), 'codex');
        else this.scan.trigger(); // a new date folder: files may predate its watch
      },
      onReady: () => this.scan.trigger(),
      onError: (e) => this.opts.log(`watching ${root}: ${String(e)}`),
    });
    this.watchers.push(watcher);
    this.scan.trigger();
  }

  /** Finds transcripts written within the window that are not followed yet, and reads new lines of all. */
  private async scanAll(): Promise<void> {
    if (this.closed) return;
    const since = Date.now() - TRANSCRIPT_WINDOW_MS;
    const claudeRoot = this.claudeRoot;
    for (const name of readdirSafe(claudeRoot)) {
      if (!this.isClaudeProjectDir(name)) continue;
      const dir = path.join(claudeRoot, name);
      for (const f of readdirSafe(dir)) {
        if (f.endsWith('.jsonl')) this.followIfRecent(path.join(dir, f), 'claude', since);
      }
    }
    for (const file of walkRollouts(this.codexRoot, 4)) this.followIfRecent(file, 'codex', since);
  }

  private followIfRecent(file: string, kind: TranscriptKind, since: number): void {
    if (this.files.has(file)) return this.follow(file, kind);
    try {
      if (fs.statSync(file).mtimeMs < since) return;
    } catch {
      return;
    }
    this.follow(file, kind);
  }

  // ---- reading -----------------------------------------------------------------------------------

  private follow(file: string, kind: TranscriptKind): void {
    if (this.closed) return;
    let f = this.files.get(file);
    if (!f) {
      f = { kind, tail: new JsonlTail(file), foreign: false, pending: new Map() };
      this.files.set(file, f);
    }
    if (f.foreign) return;
    const read = f.tail.read();
    if (read.gone) {
      this.files.delete(file);
      return;
    }
    if (read.restarted) f.pending.clear();
    if (read.lines.length === 0) return;
    // Each entry's own timestamp; the file's mtime only for entries that carry none.
    const fallbackAt = read.mtimeMs || Date.now();
    let changed = false;
    for (const line of read.lines) {
      const parsed = parseLine(kind, line);
      if (!parsed) continue;
      const at = parsed.at ?? fallbackAt;
      if (parsed.sessionId && !f.sessionId) f.sessionId = parsed.sessionId;
      if (parsed.cwd && parsed.cwd !== f.cwd) {
        f.cwd = parsed.cwd;
        f.worktree = this.worktreeOf(parsed.cwd);
        if (!f.worktree) {
          // A session of another repository (or another folder): ignore the whole file.
          f.foreign = true;
          f.pending.clear();
          return changed ? this.opts.onChange() : undefined;
        }
      }
      if (!f.cwd || !f.worktree) continue;
      const sessionId = `${kind}:${f.sessionId ?? sessionIdFromFile(kind, file)}`;
      changed = this.touchSession(sessionId, kind, f.cwd, f.worktree, at) || changed;
      // A call with an id counts once its result says it ran; one without (older formats) at once.
      for (const edit of parsed.edits) {
        if (edit.toolUseId) this.remember(f, edit.toolUseId, { kind: 'edit', path: edit.path, tool: edit.tool, cwd: f.cwd, at });
        else changed = this.addEdit(sessionId, edit.path, f.cwd, edit.tool, at) || changed;
      }
      for (const shell of parsed.shells ?? []) {
        if (shell.toolUseId) this.remember(f, shell.toolUseId, { kind: 'shell', command: shell.command, tool: shell.tool, worktree: f.worktree, at });
        else changed = this.addShellRun({ session: sessionId, worktree: f.worktree, command: shell.command, tool: shell.tool, endedAt: at, source: 'transcript' }) || changed;
      }
      for (const result of parsed.results ?? []) {
        const calls = f.pending.get(result.toolUseId);
        if (!calls) continue;
        f.pending.delete(result.toolUseId);
        for (const call of calls) {
          // An edit that failed or was refused did not happen; a shell command that ran and failed may have written.
          if (call.kind === 'edit') {
            if (!result.isError) changed = this.addEdit(sessionId, call.path, call.cwd, call.tool, at) || changed;
          } else if (!refusedBeforeRunning(result)) changed = this.addShellRun({ session: sessionId, worktree: call.worktree, command: call.command, tool: call.tool, startedAt: call.at, endedAt: at, source: 'transcript', callId: result.toolUseId }) || changed;
        }
      }
    }
    if (changed) this.opts.onChange();
  }

  private remember(f: FollowedFile, id: string, call: PendingCall): void {
    const calls = f.pending.get(id);
    if (calls) calls.push(call);
    else f.pending.set(id, [call]);
    // A call whose result never comes (the agent was killed mid-tool) must not pile up.
    if (f.pending.size > MAX_PENDING_CALLS) f.pending.delete(f.pending.keys().next().value!);
  }

  private addEdit(sessionId: string, p: string, cwd: string, tool: string | undefined, at: number): boolean {
    const located = this.locate(p, cwd);
    if (!located) return false;
    const id = editId(sessionId, located.worktree, located.key);
    const existing = this.edits.get(id);
    if (existing && existing.at >= at && (existing.tool === tool || !tool)) return false;
    this.edits.set(id, { session: sessionId, worktree: located.worktree, key: located.key, tool: tool ?? existing?.tool, at: Math.max(at, existing?.at ?? 0) });
    return true;
  }

  private addShellRun(run: ShellRun & { callId?: string }): boolean {
    const { callId, ...fact } = run;
    const id = JSON.stringify([run.session, callId ?? `${run.endedAt}:${run.command}`]);
    if (this.shellRuns.has(id)) return false;
    this.shellRuns.set(id, fact);
    if (this.shellRuns.size > MAX_SHELL_RUNS) this.shellRuns.delete(this.shellRuns.keys().next().value!);
    return true;
  }

  private touchSession(id: string, kind: TranscriptKind, cwd: string, worktree: string, at: number): boolean {
    const s = this.sessions.get(id);
    if (!s) {
      this.sessions.set(id, { id, agent: kind, cwd, worktree, firstSeen: at, lastSeen: at });
      return true;
    }
    if (s.lastSeen >= at && s.cwd === cwd) return false;
    s.lastSeen = Math.max(s.lastSeen, at);
    s.cwd = cwd;
    s.worktree = worktree;
    return true;
  }

  /** The worktree containing `p` (deepest, realpath), if any. */
  private worktreeOf(p: string): string | undefined {
    let real: string;
    try {
      real = realpathDeep(path.resolve(p));
    } catch {
      return undefined;
    }
    let best: string | undefined;
    for (const root of this.opts.worktreeRoots()) {
      if ((real === root || real.startsWith(root + path.sep)) && (!best || root.length > best.length)) best = root;
    }
    return best;
  }

  private locate(p: string, cwd: string): { worktree: string; key: string } | undefined {
    const abs = path.resolve(cwd, p);
    const worktree = this.worktreeOf(abs);
    if (!worktree) return undefined;
    try {
      return { worktree, key: keyFromAbsolute(realpathDeep(abs), worktree) };
    } catch {
      return undefined; // .git internals, the root itself…
    }
  }
}

function parseLine(kind: TranscriptKind, line: string): ParsedLine | undefined {
  if (line.trim() === '') return undefined;
  try {
    if (kind === 'claude') return parseClaudeTranscriptLine(line);
    const parsed = parseCodexRolloutLine(line);
    // Only patches Codex applied: a requested patch may have been refused (by Lockstep's own hook).
    return parsed && { ...parsed, edits: parsed.edits.filter((e) => e.status === 'applied') };
  } catch {
    return undefined; // a corrupt line: skip it, keep following the file
  }
}

/** Claude names transcripts `<session id>.jsonl`; Codex `rollout-<date>T<time>-<uuid>.jsonl`. */
function sessionIdFromFile(kind: TranscriptKind, file: string): string {
  const base = path.basename(file, '.jsonl');
  if (kind === 'codex') {
    const m = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(base);
    return m ? m[1]! : base;
  }
  return base;
}

function* walkRollouts(dir: string, depth: number): Generator<string> {
  for (const name of readdirSafe(dir)) {
    const p = path.join(dir, name);
    if (/^rollout-.*\.jsonl$/.test(name)) yield p;
    else if (depth > 0 && isDirectory(p)) yield* walkRollouts(p, depth - 1);
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
