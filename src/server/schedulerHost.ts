// The scheduler inside the coordinator server: answers the scheduler requests of
// protocol/schedulerMethods.ts, launches agents by asking the client to open a terminal
// (`lockstep/launchAgentTerminal`, exit reported by `lockstep/agentExited`), runs auto-run, and
// pushes `lockstep/schedulerChanged` whenever the plan file or the tasks' state changes. With the plan's
// landingQueue.enabled it runs the landing queue by itself whenever finished tasks wait (and the queue is
// not paused), telling the client each batch (`lockstep/landingQueueBatch`).
// main.ts calls registerSchedulerHost once; until the coordinator knows its repository, every
// scheduler request is answered with NOT_A_REPOSITORY.
import * as fs from 'node:fs';
import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import { addTask, removeTask } from '../core/planFile';
import type { TaskSpecInput } from '../core/plan';
import {
  AgentExitedParams,
  agentExitedNotification,
  landingProgressNotification,
  landingQueueBatchNotification,
  launchAgentTerminalRequest,
  LaunchAgentTerminalResult,
  schedulerChangedNotification,
  schedulerRequests,
  type SchedulerRequestName,
  type SchedulerRequestParams,
  type SchedulerRequestResult,
  type SchedulerState,
  type QueueRunResult,
} from '../protocol/schedulerMethods';
import { describeZodError } from '../protocol/coordinatorMethods';
import { git } from '../git/gitRunner';
import { NamedFileWatcher } from './namedFileWatcher';
import { storePaths } from '../store/storePaths';
import { terminateProcess, type AgentExit, type AgentLauncher, type LaunchedAgent, type LaunchRequest } from '../scheduler/agentLauncher';
import { Scheduler, SchedulerError } from '../scheduler/scheduler';
import { NOT_A_REPOSITORY } from './requestErrors';


export interface SchedulerHostOptions {
  /** The repository once the coordinator has opened it; undefined while idle. */
  repo: () => { root: string; commonDir: string } | undefined;
  log: (message: string) => void;
  /** Plan file relative to the root (default .lockstep/plan.yaml). */
  planFile?: string;
  /** Each write of the plan by the scheduler (Create a Plan, Add Task…, applied waves): Lockstep's write for the user. */
  planWritten?: (file: string) => void;
}

export interface SchedulerHost {
  /** The scheduler, once the repository is known. */
  readonly scheduler: Scheduler | undefined;
  /** The scheduler, made now if the repository is known but no request made it yet (undefined while idle). */
  open(): Scheduler | undefined;
  /** The state last pushed to the client. */
  readonly lastState: SchedulerState | undefined;
  dispose(): void;
}

/** Only Lockstep's variables and PATH go to the terminal; VS Code supplies the rest of the environment. */
function terminalEnv(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('LOCKSTEP_') || k === 'PATH') out[k] = v;
  return out;
}

/** Launches agents in VS Code terminals through the client. */
export class TerminalLauncher implements AgentLauncher {
  readonly mode = 'terminal' as const;
  readonly setsAgentPid = false;
  private readonly exits = new Map<string, (exit: AgentExit) => void>();

  constructor(private readonly connection: Connection) {}

  async launch(req: LaunchRequest): Promise<LaunchedAgent> {
    const raw = await this.connection.sendRequest(launchAgentTerminalRequest, { task: req.task, cwd: req.cwd, argv: req.argv, env: terminalEnv(req.env) });
    const parsed = LaunchAgentTerminalResult.safeParse(raw ?? {});
    const pid = parsed.success ? parsed.data.pid : undefined;
    const exited = new Promise<AgentExit>((resolve) => this.exits.set(req.task, resolve));
    return {
      ...(pid !== undefined ? { pid } : {}),
      exited,
      stop: async () => {
        if (pid !== undefined) await terminateProcess(pid, exited);
        // The terminal may not report an exit after a kill; the scheduler has settled the task anyway.
        this.agentExited(req.task, null);
      },
    };
  }

  /** The client reported the agent's exit. */
  agentExited(task: string, exitCode: number | null): void {
    const resolve = this.exits.get(task);
    if (!resolve) return;
    this.exits.delete(task);
    resolve({ exitCode });
  }
}

type Handlers = { [K in SchedulerRequestName]: (s: Scheduler, p: SchedulerRequestParams<K>) => Promise<SchedulerRequestResult<K>> };

/** Removes keys whose value is null (the protocol's "remove this field") as explicit undefined. */
function patchFromParams(patch: Record<string, unknown>): Partial<TaskSpecInput> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) out[k] = v === null ? undefined : v;
  return out as Partial<TaskSpecInput>;
}

export function registerSchedulerHost(connection: Connection, opts: SchedulerHostOptions): SchedulerHost {
  const launcher = new TerminalLauncher(connection);
  let scheduler: Scheduler | undefined;
  let lastState: SchedulerState | undefined;
  let lastJson = '';
  let pending: NodeJS.Timeout | undefined;
  let publishing = false;
  let again = false;
  let disposed = false;
  /** The landing queue run under way in this coordinator (one at a time). */
  let queueRun: Promise<QueueRunResult> | undefined;
  /** Waiting tasks the last automatic run could not land (refused, or it threw): not retried until that set changes. */
  let refusedWaiting: string | undefined;

  /** The scheduler's state with the landing queue, as the client shows it. */
  const stateOf = async (s: Scheduler): Promise<SchedulerState> => {
    const state = await s.list();
    if (!state.plan.valid) return state;
    try {
      return { ...state, queue: await s.landingQueue() };
    } catch (e) {
      opts.log(`landing queue: ${(e as Error).message.split('\n')[0]}`);
      return state;
    }
  };

  const runQueue = (s: Scheduler): Promise<QueueRunResult> => {
    queueRun ??= s
      .runLandingQueue({
        onBatch: (b) => {
          opts.log(`landing queue: ${b.result.message}`);
          void connection.sendNotification(landingQueueBatchNotification, b);
        },
      })
      .finally(() => {
        queueRun = undefined;
        schedulePublish();
      });
    return queueRun;
  };

  /** Runs the queue in the background when the plan enables it and tasks wait; never twice over the same refused batch. */
  const autoQueue = (s: Scheduler, state: SchedulerState) => {
    const q = state.queue;
    if (!q?.enabled || q.paused || queueRun || disposed) return;
    const waiting = q.entries.filter((e) => e.state === 'waiting').map((e) => e.id);
    if (waiting.length === 0) return;
    const key = JSON.stringify(waiting);
    if (key === refusedWaiting) return;
    runQueue(s).then(
      (r) => {
        const last = r.batches.at(-1);
        refusedWaiting = last && last.landed.length === 0 && (last.culprits ?? []).length === 0 ? key : undefined;
        if (refusedWaiting) opts.log(`landing queue: ${r.message.split('\n').join('; ')}; waiting for a change before trying again`);
      },
      (e: Error) => {
        refusedWaiting = key;
        opts.log(`landing queue: ${e.message.split('\n')[0]}; waiting for a change before trying again`);
      },
    );
  };

  const watcher = new NamedFileWatcher(() => schedulePublish(), (e) => opts.log(`scheduler: watching: ${String(e)}`));

  const publish = async () => {
    if (!scheduler || disposed) return;
    if (publishing) {
      again = true;
      return;
    }
    publishing = true;
    try {
      do {
        again = false;
        const state = await stateOf(scheduler);
        const json = JSON.stringify(state);
        if (json !== lastJson) {
          lastJson = json;
          lastState = state;
          void connection.sendNotification(schedulerChangedNotification, state);
        }
        if (state.plan.valid && state.plan.autoRun) {
          const tick = await scheduler.tick();
          for (const f of tick.failed) opts.log(`auto-run: ${f.error}`);
          if (tick.started.length > 0 || tick.failed.length > 0) again = true;
        }
        autoQueue(scheduler, state);
      } while (again && !disposed);
    } catch (e) {
      opts.log(`scheduler: ${(e as Error).message.split('\n')[0]}`);
    } finally {
      publishing = false;
    }
  };
  const schedulePublish = () => {
    if (pending || disposed) return;
    pending = setTimeout(() => {
      pending = undefined;
      void publish();
    }, 40);
    pending.unref();
  };

  const ensure = (): Scheduler | undefined => {
    if (scheduler) return scheduler;
    const repo = opts.repo();
    if (!repo) return undefined;
    scheduler = new Scheduler({
      repoDir: repo.root,
      launcher,
      ...(opts.planFile ? { planFile: opts.planFile } : {}),
      log: opts.log,
      onChange: schedulePublish,
      ...(opts.planWritten ? { planWritten: opts.planWritten } : {}),
    });
    // The plan file and the store's state (they may not exist yet).
    watcher.set([scheduler.planPath, ...storePaths(repo.commonDir).slots]);
    schedulePublish();
    return scheduler;
  };
  // Start watching as soon as the coordinator knows its repository, without waiting for a request.
  const probe = setInterval(() => {
    if (disposed || ensure()) clearInterval(probe);
  }, 200);
  probe.unref();

  const handlers: Handlers = {
    getSchedulerState: (s) => stateOf(s),
    startTask: (s, p) => s.start(p.id),
    stopTask: (s, p) => s.stop(p.id),
    finishTask: (s, p) => s.markFinished(p.id),
    abandonTask: (s, p) => s.abandon(p.id),
    createPlan: async (s, p) => {
      s.createPlan(p.template, p.target ?? 'main');
      return { file: s.planPath, state: await s.list() };
    },
    addTask: async (s, p) => {
      const file = s.planDisplayName;
      s.editPlan((text) => addTask(text, p.task, { file, ...(p.after ? { after: p.after } : {}) }));
      return { file: s.planPath, state: await s.list() };
    },
    updateTask: async (s, p) => {
      // Refuses to change the scope, readOnly or agent of a running task (Scheduler.updateTask).
      s.updateTask(p.id, patchFromParams(p.patch));
      return { file: s.planPath, state: await s.list() };
    },
    removeTask: async (s, p) => {
      const file = s.planDisplayName;
      const running = (await s.list()).tasks.find((t) => t.id === p.id && (t.status === 'running' || t.status === 'landing'));
      if (running) throw new SchedulerError(`cannot remove '${p.id}': it is ${running.status}; stop or finish it first`);
      s.editPlan((text) => removeTask(text, p.id, { file }));
      return { file: s.planPath, state: await s.list() };
    },
    validatePlan: async (s, p) => s.validate(p.text),
    landTasks: (s, p) => s.land(p.ids, { atomic: p.atomic, onProgress: (step) => void connection.sendNotification(landingProgressNotification, step) }),
    undoLanding: (s, p) => s.undoLanding({ rebaseDependents: p.rebaseDependents === true }),
    getLandableTasks: (s) => s.landable(),
    getCheckOutput: async (s, p) => s.checkOutput(p.id),
    pauseLandingQueue: async (s, p) => {
      s.pauseLandingQueue(p.paused);
      refusedWaiting = undefined; // resuming is a reason to try again
      return s.landingQueue();
    },
    runLandingQueue: async (s) => {
      refusedWaiting = undefined;
      if (queueRun) await queueRun.catch(() => undefined); // the run under way, then one for what waits now
      return runQueue(s);
    },
    getCommitText: async (s, p) => {
      for (const [field, rev] of [['commit', p.commit], ['since', p.since]] as const) {
        if (rev === undefined) continue;
        const type = await git(['cat-file', '-t', '--end-of-options', rev], { cwd: s.root, okExitCodes: [1, 128] }).catch(() => '');
        if (type !== 'commit') throw new SchedulerError(`${field}: ${rev} is not a commit of this repository`);
      }
      if (!p.since) return { commit: p.commit, text: await git(['show', '--stat', '--format=fuller', '--no-color', '--end-of-options', p.commit, '--'], { cwd: s.root }) };
      // A landing: what it changed in all, then each merge it made (first parents only).
      const [total, log] = await Promise.all([
        git(['diff', '--stat', '--no-color', '--end-of-options', p.since, p.commit, '--'], { cwd: s.root }),
        git(['log', '--first-parent', '--stat', '--format=fuller', '--no-color', '--end-of-options', `${p.since}..${p.commit}`, '--'], { cwd: s.root }),
      ]);
      return { commit: p.commit, text: `Landed: ${p.since.slice(0, 12)} → ${p.commit.slice(0, 12)}\n${total}\n\n${log}\n` };
    },
  };

  for (const name of Object.keys(schedulerRequests) as SchedulerRequestName[]) {
    const spec = schedulerRequests[name];
    const method = spec.type.method;
    connection.onRequest(method, async (raw: unknown) => {
      const parsed = spec.params.safeParse(raw);
      if (!parsed.success) return new ResponseError(ErrorCodes.InvalidParams, describeZodError(method, parsed.error));
      const s = ensure();
      if (!s) return new ResponseError(NOT_A_REPOSITORY, `${method}: Lockstep is idle: no repository is open`);
      // addTask takes what the client sent, not zod's output, so fields left out are not written as defaults.
      const params = name === 'addTask' ? { ...(parsed.data as object), task: (raw as { task: TaskSpecInput }).task } : parsed.data;
      try {
        const handler = handlers[name] as (s: Scheduler, p: unknown) => Promise<unknown>;
        return await handler(s, params);
      } catch (e) {
        const msg = (e as Error).message.split('\n')[0];
        if (e instanceof SchedulerError) return new ResponseError(ErrorCodes.InvalidParams, `${method}: ${msg}`, e.details);
        return new ResponseError(ErrorCodes.InternalError, `${method}: ${msg}`);
      } finally {
        schedulePublish();
      }
    });
  }

  connection.onNotification(agentExitedNotification.method, (raw: unknown) => {
    const parsed = AgentExitedParams.safeParse(raw);
    if (!parsed.success) return opts.log(describeZodError(agentExitedNotification.method, parsed.error));
    launcher.agentExited(parsed.data.task, parsed.data.exitCode);
  });

  return {
    get scheduler() {
      return scheduler;
    },
    open: ensure,
    get lastState() {
      return lastState;
    },
    dispose() {
      disposed = true;
      clearInterval(probe);
      if (pending) clearTimeout(pending);
      void watcher.close();
    },
  };
}
