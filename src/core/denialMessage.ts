// Turns a denial into the sentence an agent reads: which file, who holds it, for how long, what to do.
import type { Denial } from './leaseTable';
import { holderName, timeLeft } from './leaseNotice';


export function describeDenial(d: Denial, now: number): string {
  const r = d.reason;
  switch (r.kind) {
    case 'held': {
      const task = r.lease.task ? `, task '${r.lease.task}'` : '';
      return (
        `${d.key} is held by ${holderName(r.lease.session)}${task}, for ${timeLeft(r.lease.expiresAt, now)}. ` +
        `Work on other files meanwhile and come back to it later; do not write it through the shell.`
      );
    }
    case 'read-only':
      return `${d.key}: this session is read-only${r.task ? ` (task '${r.task}')` : ''} and may not edit files. Report what you found instead.`;
    case 'reserved':
      return (
        `${d.key} is inside the scope of task '${r.reservation.task}' (${r.reservation.globs.join(', ')}), ` +
        `which is running; only that task may edit it. Work elsewhere.`
      );
    case 'out-of-scope':
      return `${d.key} is outside the scope of your task '${r.task}' (${r.globs.join(', ')}). Edit only files in scope.`;
  }
}

export function describeDenials(denials: readonly Denial[], now: number): string {
  return denials.map((d) => describeDenial(d, now)).join(' ');
}
