// Tells a lead when a phase of its tasks is done: after each scheduler change, every phase boundary
// reached (core/phaseReport.ts) is reported once to the sessions that added or started the phase's
// tasks, through their mailboxes (delivered by their hooks like any message). Sent once per outcome:
// the memory refuses a repeat of the same key (a landing undone and landed again is a new outcome).
import { phaseBoundaries, phaseReportText } from '../core/phaseReport';
import { MailboxFullError } from '../store/memoryStore';
import { openMemory } from '../store/openMemory';
import type { SchedulerContext } from './schedulerContext';
import { oneLine } from './schedulerError';

/** Who phase reports are from. */
export const SCHEDULER_SENDER = 'lockstep:scheduler';

export class PhaseReports {
  /** Keys this process sent or found sent: not looked up again. */
  private readonly done = new Set<string>();

  constructor(private readonly ctx: Pick<SchedulerContext, 'store' | 'plan' | 'log'>) {}

  /** Reports every phase boundary reached and not reported yet; never throws (a report must not fail a landing). */
  check(): void {
    try {
      const state = this.ctx.store.read();
      // Plans nobody fanned out through Lockstep have no lead: nothing to read further.
      if (!Object.values(state.tasks).some((t) => t.lead)) return;
      const load = this.ctx.plan.load();
      if (!load.ok) return;
      const fresh = phaseBoundaries(load.plan, state.tasks).filter((b) => !this.done.has(b.key));
      if (fresh.length === 0) return;
      const memory = openMemory(this.ctx.store);
      for (const b of fresh) {
        const notes = memory.notes().filter((n) => n.at >= b.openedAt);
        const text = phaseReportText(b, state.tasks, notes, load.plan.target);
        let sent = true;
        for (const lead of b.leads) {
          try {
            const r = memory.send({ from: SCHEDULER_SENDER, to: { kind: 'session', id: lead }, text, once: { key: b.key, withinMs: Number.POSITIVE_INFINITY } });
            if (!r.repeated) this.ctx.log(`phase ${b.phase} done: reported to ${lead}`);
          } catch (e) {
            sent = false; // tried again at the next change
            this.ctx.log(`phase ${b.phase} done: could not tell ${lead}${e instanceof MailboxFullError ? ' (mailbox full)' : ''}: ${oneLine(e)}`);
          }
        }
        if (sent) this.done.add(b.key);
      }
    } catch (e) {
      this.ctx.log(`phase report: ${oneLine(e)}`);
    }
  }
}
