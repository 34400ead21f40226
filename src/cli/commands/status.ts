// `lockstep status`: sessions (with their agent process and whether it runs), leases (holder, task,
// time left) and recent edits. Each fact says where it came from: [hook] [cli] [transcript]
// [worktree] [scheduler] (who reported it), [os] (checked now), [lease table].
import type { Command } from 'commander';
import { processVerdict } from '../../agents/agentProcess';
import { shortSession } from '../../core/leaseNotice';
import type { Lease, Session } from '../../core/model';
import { action, formatDuration, openContext, printJson } from '../commandContext';

const RECENT_EDITS = 15;

function liveness(s: Session): { state: string; reason?: string } {
  if (s.endedAt !== undefined) return { state: 'ended', reason: s.endReason };
  if (!s.process) return { state: 'unknown', reason: 'no agent process recorded' };
  const v = processVerdict(s.process);
  return v.state === 'dead' ? { state: 'dead', reason: v.reason } : { state: v.state };
}

function publicLease(l: Lease, now: number) {
  // The owner token is a capability: status never shows it.
  const { ownerToken: _token, ...rest } = l;
  return { ...rest, msLeft: Math.max(0, l.expiresAt - now), expired: l.expiresAt <= now, source: 'lease table' };
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('show sessions, leases and recent edits of this repository')
    .option('--json', 'print JSON')
    .action(
      action((opts: { json?: boolean }) => {
        const ctx = openContext();
        const state = ctx.store.read();
        const now = Date.now();
        const sessions = Object.values(state.sessions).sort((a, b) => a.startedAt - b.startedAt);
        const leases = Object.values(state.leases).sort((a, b) => a.key.localeCompare(b.key));
        const edits = state.edits.slice(-RECENT_EDITS);
        if (opts.json) {
          printJson({
            ok: true,
            dir: ctx.store.dir,
            now,
            fence: state.fence,
            sessions: sessions.map((s) => ({ ...s, liveness: { ...liveness(s), source: 'os' } })),
            leases: leases.map((l) => publicLease(l, now)),
            reservations: Object.values(state.reservations),
            edits,
          });
          return;
        }
        const out: string[] = [`Lockstep store ${ctx.store.dir}`];
        const live = sessions.filter((s) => s.endedAt === undefined);
        out.push(`Sessions (${live.length} active, ${sessions.length - live.length} ended):`);
        for (const s of sessions) {
          const lv = liveness(s);
          const proc = s.process ? `pid ${s.process.pid}${s.process.command ? ` (${s.process.command})` : ''} ${lv.state}${lv.reason ? `: ${lv.reason}` : ''} [os]` : `process ${lv.state}`;
          const ended = s.endedAt !== undefined ? `  ended ${formatDuration(now - s.endedAt)} ago (${s.endReason ?? ''})` : `  last seen ${formatDuration(now - s.lastSeen)} ago`;
          out.push(`  ${s.id}  [${s.source}]${s.task ? `  task ${s.task}` : ''}${s.readOnly ? '  read-only' : ''}  ${s.worktree || '(worktree unknown)'}  ${proc}${ended}`);
        }
        out.push(`Leases (${leases.length}):`);
        for (const l of leases) {
          const left = l.expiresAt <= now ? 'expired (freed at the next transaction)' : `${formatDuration(l.expiresAt - now)} left`;
          out.push(`  ${l.key}  held by ${shortSession(l.session)} (${l.session})${l.task ? `  task ${l.task}` : ''}  fence ${l.fence}  ${left}  [lease table]`);
        }
        const reservations = Object.values(state.reservations);
        if (reservations.length > 0) {
          out.push(`Reserved scopes (${reservations.length}):`);
          for (const r of reservations) out.push(`  task ${r.task}: ${r.globs.join(', ')}  [scheduler]`);
        }
        out.push(`Recent edits (${edits.length} of ${state.edits.length}):`);
        for (const e of edits) {
          out.push(`  ${new Date(e.at).toISOString()}  ${e.key}  ${e.session}${e.tool ? `  ${e.tool}` : ''}  [${e.source}]`);
        }
        process.stdout.write(out.join('\n') + '\n');
      }),
    );
}
