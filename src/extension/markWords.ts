// Tooltip and label texts for a file mark, shared by badges, editor marks and the tree.
import { describeLease, holderName, timeLeft } from '../core/leaseNotice';
import type { FileMark } from './lockState';

export function markTooltip(mark: FileMark, now = Date.now()): string {
  switch (mark.kind) {
    case 'other':
    case 'mine': {
      const lease = mark.lease!;
      const agent = mark.holder?.agent ?? lease.session.split(':')[0];
      const task = lease.task ?? mark.holder?.task;
      const parts = [
        mark.kind === 'mine' ? 'Claimed by you' : `Held by ${holderName(lease.session)}`,
        `agent: ${agent}`,
        task ? `task: ${task}` : undefined,
        `${timeLeft(lease.expiresAt, now)}`,
      ];
      return `Lockstep: ${parts.filter(Boolean).join(' · ')}`;
    }
    case 'unleased': {
      const u = mark.unleased!;
      const shell = u.shellBy ? ` — probably ${holderName(u.shellBy)}, through a shell command${u.shellCommand ? ` (${u.shellCommand})` : ''}` : '';
      const holder = u.notWrittenByHolder ? ` — ${holderName(u.notWrittenByHolder)} holds it, but its recorded edits did not make this change` : '';
      const who = u.worktreeSessions.length ? ` (sessions in that worktree: ${u.worktreeSessions.join(', ')})` : '';
      const held = u.heldBy ? ` — and ${holderName(u.heldBy)} holds it in another worktree` : '';
      return `Lockstep: unleased edit (${u.change}), a write that escaped the hooks, in ${u.worktree}${shell}${holder}${who}${held}`;
    }
    case 'ended': {
      const e = mark.ended!;
      const why = e.endReason ? `: ${e.endReason}` : '';
      return `Lockstep: uncommitted work (${e.change}) of ended session ${holderName(e.session)} (${e.endedAt !== undefined ? 'ended' : 'no longer working'}${why}), made through its own recorded edits — not an escape; commit or discard it`;
    }
  }
}

export function leaseLine(mark: FileMark, now = Date.now()): string {
  return describeLease(mark.lease!, now, mark.holder?.task);
}
