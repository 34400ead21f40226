// The landing queue (#17): finished write tasks with commits the target lacks wait in dependency then
// finishing order; a run takes batches of the plan's landingQueue.batchSize and lands each through the
// landing flow in queue mode (one candidate, one check, one compare-and-swap; a failing batch bisected
// to its culprits, see core/batchBisect.ts). Nothing is kept about the queue but its paused flag: who
// waits is read from the tasks' states, so a crashed run resumes with whatever is still finished.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from '../core/zodClassic';
import { queueOrder } from '../core/batchBisect';
import { describeState } from '../core/task';
import { cleanupLandingLeftovers } from '../git/landingLeftovers';
import type { LandingProgress, LandingQueueBatch, LandTasksResult, QueueEntry, QueueRunResult, QueueView } from '../protocol/schedulerMethods';
import type { LandingFlow } from './landingFlow';
import type { SchedulerContext } from './schedulerContext';

export type { QueueEntry, QueueEntryState, QueueRunResult, QueueView } from '../protocol/schedulerMethods';

const QueueFile = z.object({ paused: z.boolean() });

export class LandingQueue {
  constructor(
    private readonly ctx: SchedulerContext,
    private readonly flow: LandingFlow,
  ) {}

  private get file(): string {
    return path.join(this.ctx.store.dir, 'landing-queue.json');
  }

  paused(): boolean {
    try {
      return QueueFile.parse(JSON.parse(fs.readFileSync(this.file, 'utf8'))).paused;
    } catch {
      return false; // absent (never paused) or unreadable: a queue that lands is the default
    }
  }

  setPaused(paused: boolean): QueueView['paused'] {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ paused }) + '\n');
    fs.renameSync(tmp, this.file);
    this.ctx.changed();
    return paused;
  }

  async view(): Promise<QueueView> {
    const plan = this.ctx.plan.require();
    const settings = plan.landingQueue;
    const list = await this.ctx.list();
    const landable = new Set((await this.flow.landable()).tasks.filter((t) => t.status === 'finished').map((t) => t.id));
    const byId = new Map(list.tasks.map((t) => [t.id, t]));
    const landed = new Set(list.tasks.filter((t) => t.status === 'landed' || (t.readOnly && t.status === 'finished')).map((t) => t.id));
    // Waiting: every dependency landed or waiting too (transitively); else held, naming the first one missing.
    const waiting = new Set(landable);
    const held = new Map<string, string>();
    for (let changed = true; changed; ) {
      changed = false;
      for (const id of waiting) {
        const missing = byId.get(id)!.dependsOn.find((d) => !landed.has(d) && !waiting.has(d));
        if (missing === undefined) continue;
        waiting.delete(id);
        const dep = byId.get(missing);
        held.set(id, `waits for '${missing}'${dep ? ` (${describeState(dep.state)})` : ''}`);
        changed = true;
      }
    }
    const order = queueOrder([...waiting].map((id) => byId.get(id)!));
    const entries: QueueEntry[] = order.map((t) => ({ id: t.id, state: 'waiting', ...(t.finishedAt !== undefined ? { finishedAt: t.finishedAt } : {}) }));
    for (const [id, reason] of held) entries.push({ id, state: 'held', reason });
    for (const t of list.tasks) {
      if (t.status === 'landing') entries.push({ id: t.id, state: 'verifying' });
      else if (!t.readOnly && t.state.status === 'failed') entries.push({ id: t.id, state: 'failed', reason: t.state.reason });
      else if (!t.readOnly && t.state.status === 'conflicted') entries.push({ id: t.id, state: 'failed', reason: `conflicts with the target in ${t.state.paths.join(', ')}` });
    }
    const done = list.tasks.filter((t) => t.status === 'landed').sort((a, b) => (b.landedAt ?? 0) - (a.landedAt ?? 0));
    for (const t of done) entries.push({ id: t.id, state: 'landed', ...(t.landedAt !== undefined ? { landedAt: t.landedAt } : {}) });
    return { target: plan.target, paused: this.paused(), enabled: settings.enabled, batchSize: settings.batchSize, parallel: settings.parallel, entries };
  }

  /** Lands what waits, batch after batch, until nothing waits, the queue is paused, or a batch lands nothing. */
  async run(opts: { onProgress?: (p: LandingProgress) => void; onBatch?: (b: LandingQueueBatch) => void } = {}): Promise<QueueRunResult> {
    await this.flow.settleInterruptedLandings(); // a crashed run's batch: landed whole, or back to waiting
    // What a killed run left (check worktrees, temporary refs, a checkout behind its target); skipped while a landing runs.
    const left = await cleanupLandingLeftovers(this.ctx.root).catch((e: Error) => ({ problems: [e.message], removedWorktrees: [], removedRefs: [], completedCheckouts: [] }));
    for (const p of left.problems) this.ctx.log(`landing queue: ${p}`);
    const batches: LandTasksResult[] = [];
    for (;;) {
      if (this.paused()) return { ok: batches.every((b) => b.ok), batches, paused: true, message: summary(batches, 'the queue is paused') };
      const v = await this.view();
      const ids = v.entries.filter((e) => e.state === 'waiting').slice(0, v.batchSize).map((e) => e.id);
      if (ids.length === 0) return { ok: batches.every((b) => b.ok), batches, paused: false, message: summary(batches, 'nothing waits') };
      opts.onProgress?.({ step: 'checking', detail: `batch ${batches.length + 1}: ${ids.join(', ')}` });
      const r = await this.flow.land(ids, { queue: { parallel: v.parallel }, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
      batches.push(r);
      try {
        opts.onBatch?.({ ids, result: r });
      } catch (e) {
        this.ctx.log(`landing queue: batch listener: ${(e as Error).message}`);
      }
      // A batch that neither landed nor took anyone out (refused: the target moved too often, a dirty checkout…) would repeat.
      if (r.landed.length === 0 && (r.culprits ?? []).length === 0) return { ok: false, batches, paused: false, message: summary(batches, 'stopped: the last batch was refused') };
    }
  }
}

function summary(batches: LandTasksResult[], end: string): string {
  if (batches.length === 0) return `no batch ran (${end})`;
  return [...batches.map((b, i) => `batch ${i + 1}: ${b.message}`), end].join('\n');
}
