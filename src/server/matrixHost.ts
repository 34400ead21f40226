// The conflict matrix inside the coordinator server: answers the requests of
// protocol/matrixMethods.ts and, once a client asked for the matrix, keeps it live and pushes
// `lockstep/matrixChanged` (debounced ~100 ms) when a lease, edit, worktree, commit, the plan or a
// task's state changed it. main.ts calls registerMatrixHost once; until the coordinator knows its
// repository every matrix request is answered with NOT_A_REPOSITORY.
import * as path from 'node:path';
import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import { taskBranch } from '../core/plan';
import { applyWavesAsPhases } from '../core/waves';
import { describeZodError } from '../protocol/coordinatorMethods';
import { MATRIX_CHANGED, matrixRequests, type MatrixRequestName, type MatrixRequestResult } from '../protocol/matrixMethods';
import { NamedFileWatcher } from './namedFileWatcher';
import { storePaths } from '../store/storePaths';
import { CoalescingRunner } from './coalescingRunner';
import type { Scheduler } from '../scheduler/scheduler';
import { SchedulerError } from '../scheduler/schedulerError';
import type { Coordinator } from './coordinator';
import { MatrixEngine } from '../engine/matrixEngine';
import { GitShowError, gitShow } from '../git/matrixGitShow';
import { nothingStarted, suggestedWaves } from '../engine/matrixSources';
import { MatrixLookupError } from '../engine/matrixTracker';
import { ownRecord } from '../core/ownRecord';
import { NOT_A_REPOSITORY, oneLine } from './requestErrors';

/** Refreshes wait this long after the first trigger so a burst of events makes one update. */
export const MATRIX_DEBOUNCE_MS = 100;
const POLL_MS = 100;

export interface MatrixHostOptions {
  /** The coordinator once it has opened the repository; undefined while idle. */
  coordinator: () => Coordinator | undefined;
  /** The scheduler, whose plan editing writes the plan file (undefined while idle). */
  scheduler: () => Scheduler | undefined;
  log: (message: string) => void;
}

export interface MatrixHost {
  /** The live engine, once a client asked for the matrix. */
  readonly engine: MatrixEngine | undefined;
  dispose(): void;
}

class RequestError extends Error {
  override readonly name = 'MatrixRequestError';
}

type Handlers = { [K in MatrixRequestName]: (c: Coordinator, p: unknown) => Promise<MatrixRequestResult<K>> };


function engineFor(c: Coordinator, plannedOnly: boolean): MatrixEngine {
  return new MatrixEngine({
    root: c.location.worktreeRoot,
    gitDir: c.location.gitDir,
    plannedOnly,
    facts: () => {
      const snap = c.snapshot();
      return { editing: snap, runtime: c.storeTracker.state.tasks };
    },
  });
}

export function registerMatrixHost(connection: Connection, opts: MatrixHostOptions): MatrixHost {
  let engine: MatrixEngine | undefined;
  let engineOf: Coordinator | undefined;
  let disposed = false;
  let lastRevision = -1;
  let poll: NodeJS.Timeout | undefined;
  const watcher = new NamedFileWatcher(() => trigger(), (e) => opts.log(`matrix: watching: ${oneLine(e)}`));

  const runner = new CoalescingRunner(
    async () => {
      if (!engine || disposed) return;
      const r = await engine.refresh();
      watchFiles();
      if (r.changed) void connection.sendNotification(MATRIX_CHANGED, engine.state());
    },
    MATRIX_DEBOUNCE_MS,
    (e) => opts.log(`matrix: ${oneLine(e)}`),
  );
  const trigger = () => runner.trigger();

  /** Plan, store state, the checkout's index and the refs of the target and every task branch. */
  const watchFiles = () => {
    const c = engineOf;
    if (!c || !engine) return;
    const files = new Set<string>([engine.plan().view.file, ...storePaths(c.location.commonDir).slots, path.join(c.location.gitDir, 'index'), path.join(c.location.commonDir, 'packed-refs')]);
    const plan = engine.plan().plan;
    if (plan) {
      files.add(path.join(c.location.commonDir, 'refs', 'heads', ...plan.target.split('/')));
      for (const t of plan.tasks) files.add(path.join(c.location.commonDir, 'refs', 'heads', ...taskBranch(t.id).split('/')));
    }
    watcher.set(files);
  };

  /** The live engine of the current coordinator, started (and refreshed once) on first use. */
  const live = async (c: Coordinator): Promise<MatrixEngine> => {
    if (engine && engineOf === c) {
      await runner.idle();
      return engine;
    }
    engine = engineFor(c, false);
    engineOf = c;
    await engine.refresh();
    watchFiles();
    // The coordinator's model (sessions, leases, edits, worktree changes) has a revision: follow it.
    if (poll) clearInterval(poll);
    lastRevision = c.snapshot().revision;
    poll = setInterval(() => {
      if (disposed || engineOf !== c) return;
      const rev = c.snapshot().revision;
      if (rev !== lastRevision) {
        lastRevision = rev;
        trigger();
      }
    }, POLL_MS);
    poll.unref();
    return engine;
  };

  const handlers: Handlers = {
    getMatrix: async (c, p) => {
      if ((p as { planned?: boolean }).planned) {
        const once = engineFor(c, true);
        await once.refresh();
        return once.state();
      }
      return (await live(c)).state();
    },
    getMatrixCell: async (c, p) => {
      const { a, b, limit } = p as { a: string; b: string; limit?: number };
      const e = await live(c);
      return e.cell(a, b, limit);
    },
    applyWaves: async (c) => {
      const e = await live(c);
      const facts = e.plan();
      if (!facts.plan || facts.text === undefined) throw new RequestError(facts.view.issue ?? 'the plan is not valid');
      if (!nothingStarted(facts.plan, e.runtime())) {
        throw new RequestError('tasks have already started; waves can only be applied before any task runs (edit phases in the plan instead)');
      }
      const scheduler = opts.scheduler();
      if (!scheduler) throw new RequestError('the scheduler is not running');
      if (path.resolve(scheduler.planPath) !== path.resolve(facts.view.file)) {
        throw new RequestError(`the matrix reads ${facts.view.file} but the scheduler edits ${scheduler.planPath}`);
      }
      const index = await e.trackedIndex();
      const waves = suggestedWaves(facts.plan, index);
      const file = path.relative(c.location.worktreeRoot, facts.view.file).split(path.sep).join('/');
      try {
        scheduler.editPlan((text) => applyWavesAsPhases(text, waves, { file }));
      } catch (err) {
        if (err instanceof SchedulerError) throw new RequestError(err.message);
        throw err;
      }
      trigger();
      const phases: Record<string, number> = ownRecord();
      waves.forEach((w, i) => w.forEach((id) => (phases[id] = i + 1)));
      return { file: facts.view.file, waves, phases };
    },
    gitShow: async (c, p) => {
      const { rev, path: file } = p as { rev: string; path: string };
      return gitShow(c.location.worktreeRoot, rev, file);
    },
  };

  for (const name of Object.keys(matrixRequests) as MatrixRequestName[]) {
    const spec = matrixRequests[name];
    const method = spec.method;
    connection.onRequest(method, async (raw: unknown) => {
      const parsed = spec.params.safeParse(raw);
      if (!parsed.success) return new ResponseError(ErrorCodes.InvalidParams, describeZodError(method, parsed.error));
      const c = opts.coordinator();
      if (!c) return new ResponseError(NOT_A_REPOSITORY, `${method}: Lockstep is idle: no repository is open`);
      try {
        return await handlers[name](c, parsed.data);
      } catch (e) {
        if (e instanceof RequestError || e instanceof MatrixLookupError || e instanceof GitShowError) return new ResponseError(ErrorCodes.InvalidParams, `${method}: ${e.message}`);
        return new ResponseError(ErrorCodes.InternalError, `${method}: ${oneLine(e)}`);
      }
    });
  }

  return {
    get engine() {
      return engine;
    },
    dispose() {
      disposed = true;
      runner.close();
      if (poll) clearInterval(poll);
      void watcher.close();
    },
  };
}
