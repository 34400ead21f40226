// `lockstep status`: sessions (with their agent process and whether it runs), leases (holder, task,
// time left), recent edits, and uncommitted changes nobody leased. Each fact says where it came
// from: [hook] [cli] [transcript] [worktree] [scheduler] (who reported it), [os] (checked now),
// [lease table].
//
// The three sources of "who is editing what" (the lease store, each worktree's `git status`, the
// agents' own transcripts) are merged by the coordinator; status runs one in this process (open,
// settle, snapshot, close) instead of merging them a second way.
import * as os from 'node:os';
import type { Command } from 'commander';
import { processVerdict } from '../../agents/agentProcess';
import { shortSession } from '../../core/leaseNotice';
import { freedBecause, leaseStanding } from '../../core/leaseStanding';
import type { Lease, LeaseTableState, Session } from '../../core/model';
import type { EditView, EndedSessionWork, SessionView, Snapshot, UnleasedEdit } from '../../protocol/coordinatorState';
import { Coordinator } from '../../server/coordinator';
import { action, CliError, formatDuration, openContext, printJson } from '../commandContext';

const RECENT_EDITS = 15;

interface Gathered {
  storeDir: string;
  /** The lease store as read (sessions with their process, leases with expired ones, reservations). */
  state: LeaseTableState;
  /** The merged model: sessions/edits with their sources, unleased edits, worktrees. */
  snapshot: Snapshot;
  readFrom: { store: string; worktrees: string[]; claudeProjects: string; codexSessions: string };
  /** What the trackers reported while reading (a failed git status, an unwatchable folder…). */
  notes: string[];
}

/** Runs the coordinator of the repository around `cwd` just long enough for one settled snapshot. */
async function gather(cwd: string): Promise<Gathered> {
  const notes: string[] = [];
  let coordinator: Coordinator;
  try {
    coordinator = await Coordinator.open({ root: cwd, userSession: `human:${osUserName()}`, log: (m) => notes.push(m) });
  } catch (e) {
    // A failure half way through opening may leave a watcher or poll running that nobody can
    // close: once the error is printed, do not hang on it (unref: never delays a clean exit).
    setTimeout(() => process.exit(), 2000).unref();
    throw e;
  }
  try {
    await coordinator.settled();
    const problem = coordinator.storeTracker.problem;
    if (problem) throw new CliError(problem);
    return {
      storeDir: coordinator.store.dir,
      state: coordinator.storeTracker.state,
      snapshot: coordinator.snapshot(),
      readFrom: {
        store: coordinator.store.dir,
        worktrees: coordinator.worktreeRoots(),
        claudeProjects: coordinator.transcripts.claudeRoot,
        codexSessions: coordinator.transcripts.codexRoot,
      },
      notes,
    };
  } finally {
    // Closes every watcher and timer: nothing may keep the process alive after the answer.
    await coordinator.close();
  }
}

function osUserName(): string {
  try {
    return os.userInfo().username.replace(/[^\w.@-]/g, '_') || 'user';
  } catch {
    return 'user';
  }
}

function liveness(s: Session): { state: string; reason?: string } {
  if (s.endedAt !== undefined) return { state: 'ended', reason: s.endReason };
  if (!s.process) return { state: 'unknown', reason: 'no agent process recorded' };
  const v = processVerdict(s.process);
  return v.state === 'dead' ? { state: 'dead', reason: v.reason } : { state: v.state };
}

/** A session only a transcript reported: no process is known, only whether the transcript still grows. */
function transcriptLiveness(s: SessionView): { state: string; reason: string } {
  return s.live ? { state: 'active', reason: 'its transcript grew recently' } : { state: 'idle', reason: 'its transcript stopped growing' };
}

/** Whether the lease still holds, by the lease table's own rule (a dead or ended holder frees it). */
function standingOf(l: Lease, state: LeaseTableState, now: number) {
  return leaseStanding(l, state.sessions[l.session], now, processVerdict);
}

function publicLease(l: Lease, state: LeaseTableState, now: number) {
  // The owner token is a capability: status never shows it.
  const { ownerToken: _token, ...rest } = l;
  const standing = standingOf(l, state, now);
  return {
    ...rest,
    msLeft: Math.max(0, l.expiresAt - now),
    expired: l.expiresAt <= now,
    inForce: standing.kind === 'in-force',
    ...(standing.kind !== 'in-force' ? { freed: freedBecause(standing) } : {}),
    source: 'lease table',
  };
}

function tags(sources: readonly string[]): string {
  return `[${sources.join(', ')}]`;
}

interface SessionRow {
  id: string;
  startedAt: number;
  /** From the lease store; undefined for a transcript-only session. */
  stored?: Session;
  view?: SessionView;
}

function sessionRows(g: Gathered): SessionRow[] {
  const views = new Map(g.snapshot.sessions.map((s) => [s.id, s]));
  const rows: SessionRow[] = Object.values(g.state.sessions).map((s) => ({ id: s.id, startedAt: s.startedAt, stored: s, view: views.get(s.id) }));
  for (const v of g.snapshot.sessions) {
    if (!g.state.sessions[v.id]) rows.push({ id: v.id, startedAt: v.startedAt, view: v });
  }
  return rows.sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
}

function recentEdits(edits: readonly EditView[]): EditView[] {
  return [...edits].sort((a, b) => a.at - b.at || a.id.localeCompare(b.id)).slice(-RECENT_EDITS);
}

function editJson(e: EditView) {
  return {
    key: e.key,
    session: e.session,
    worktree: e.worktree,
    at: e.at,
    ...(e.tools[0] !== undefined ? { tool: e.tools[0] } : {}),
    source: e.sources[0],
    sources: e.sources,
    tools: e.tools,
  };
}

function unleasedLine(u: UnleasedEdit): string {
  const parts = [`  ${u.change.padEnd(10)} ${u.key}  in ${u.worktree}`];
  if (u.shellBy) parts.push(`probably ${u.shellBy} (shell: ${u.shellCommand ?? '?'})`);
  if (u.notWrittenByHolder) parts.push(`leased by ${u.notWrittenByHolder}, but not by its recorded edits`);
  if (u.heldBy) parts.push(`leased by ${u.heldBy} in another worktree`);
  if (u.editedBy.length > 0) parts.push(`edited by ${u.editedBy.join(', ')}`);
  parts.push(u.worktreeSessions.length > 0 ? `sessions there: ${u.worktreeSessions.join(', ')}` : 'no live session there');
  return `${parts.join('  ')}  [worktree]`;
}

function endedWorkLine(e: EndedSessionWork, now: number): string {
  const ended = e.endedAt !== undefined ? `ended ${formatDuration(now - e.endedAt)} ago` : 'no longer working';
  return `  ${e.change.padEnd(10)} ${e.key}  in ${e.worktree}  by ${e.session} (${ended}${e.endReason ? `: ${e.endReason}` : ''}), last edit ${formatDuration(now - e.lastEditAt)} ago  [worktree]`;
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('show sessions, leases, recent edits and unleased uncommitted changes of this repository')
    .option('--json', 'print JSON')
    .action(
      action(async (opts: { json?: boolean }) => {
        const g = await gather(process.cwd());
        const { state, snapshot } = g;
        const now = Date.now();
        const rows = sessionRows(g);
        const leases = Object.values(state.leases).sort((a, b) => a.key.localeCompare(b.key));
        const edits = recentEdits(snapshot.edits);
        const reservations = Object.values(state.reservations);
        if (opts.json) {
          printJson({
            ok: true,
            dir: g.storeDir,
            now,
            fence: state.fence,
            sessions: rows.map((r) =>
              r.stored
                ? { ...r.stored, sources: r.view?.sources ?? [r.stored.source], liveness: { ...liveness(r.stored), source: 'os' } }
                : { ...r.view!, source: 'transcript', liveness: { ...transcriptLiveness(r.view!), source: 'transcript' } },
            ),
            leases: leases.map((l) => publicLease(l, state, now)),
            reservations,
            edits: edits.map(editJson),
            unleased: snapshot.unleased.map((u) => ({ ...u, source: 'worktree' })),
            endedWork: snapshot.endedWork.map((e) => ({ ...e, source: 'worktree' })),
            worktrees: snapshot.worktrees,
            readFrom: g.readFrom,
            notes: g.notes,
          });
          return;
        }
        const out: string[] = [`Lockstep store ${g.storeDir}`];
        const active = rows.filter((r) => (r.stored ? r.stored.endedAt === undefined && r.view?.live !== false : r.view!.live)).length;
        const ended = rows.filter((r) => r.stored?.endedAt !== undefined).length;
        const idle = rows.length - active - ended;
        out.push(`Sessions (${active} active, ${ended} ended${idle > 0 ? `, ${idle} idle` : ''}):`);
        for (const r of rows) {
          if (r.stored) {
            const s = r.stored;
            const lv = liveness(s);
            const lastSeen = Math.max(s.lastSeen, r.view?.lastSeen ?? 0);
            const proc = s.process ? `pid ${s.process.pid}${s.process.command ? ` (${s.process.command})` : ''} ${lv.state}${lv.reason ? `: ${lv.reason}` : ''} [os]` : `process ${lv.state}`;
            const when = s.endedAt !== undefined ? `  ended ${formatDuration(now - s.endedAt)} ago (${s.endReason ?? ''})` : `  last seen ${formatDuration(now - lastSeen)} ago`;
            out.push(`  ${s.id}  ${tags(r.view?.sources ?? [s.source])}${s.task ? `  task ${s.task}` : ''}${s.readOnly ? '  read-only' : ''}  ${s.worktree || '(worktree unknown)'}  ${proc}${when}`);
          } else {
            const v = r.view!;
            const lv = transcriptLiveness(v);
            out.push(`  ${v.id}  ${tags(v.sources)}  ${v.worktree}  no hook, seen in its transcript: ${lv.state}, last written ${formatDuration(now - v.lastSeen)} ago`);
          }
        }
        const inForce = leases.filter((l) => standingOf(l, state, now).kind === 'in-force').length;
        out.push(`Leases (${inForce}${inForce < leases.length ? ` held, ${leases.length - inForce} free until the next transaction` : ''}):`);
        for (const l of leases) {
          const standing = standingOf(l, state, now);
          const held = standing.kind === 'in-force';
          const left = held ? `${formatDuration(l.expiresAt - now)} left` : `free: ${freedBecause(standing)}`;
          out.push(`  ${l.key}  ${held ? 'held' : 'was held'} by ${shortSession(l.session)} (${l.session})${l.task ? `  task ${l.task}` : ''}  fence ${l.fence}  ${left}  [lease table]`);
        }
        if (reservations.length > 0) {
          out.push(`Reserved scopes (${reservations.length}):`);
          for (const r of reservations) out.push(`  task ${r.task}: ${r.globs.join(', ')}  [scheduler]`);
        }
        out.push(`Recent edits (${edits.length} of ${snapshot.edits.length}):`);
        for (const e of edits) {
          out.push(`  ${new Date(e.at).toISOString()}  ${e.key}  ${e.session}${e.tools.length > 0 ? `  ${e.tools.join(', ')}` : ''}  in ${e.worktree}  ${tags(e.sources)}`);
        }
        out.push(`Unleased edits (${snapshot.unleased.length}): uncommitted changes that escaped the leases (no session of their worktree leased them, or not through the holder's recorded edits)`);
        for (const u of snapshot.unleased) out.push(unleasedLine(u));
        if (snapshot.endedWork.length > 0) {
          out.push(`Uncommitted work of ended sessions (${snapshot.endedWork.length}): their own recorded edits, not yet committed`);
          for (const e of snapshot.endedWork) out.push(endedWorkLine(e, now));
        }
        for (const n of g.notes) out.push(`Note: ${n.split('\n')[0]}`);
        process.stdout.write(out.join('\n') + '\n');
      }),
    );
}
