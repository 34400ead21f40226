// What the scheduler's parts share: one checkout with its store and plan, where a task's files are,
// and one way to tell listeners that something changed. The Scheduler facade (scheduler.ts) builds it
// and hands it to the task lifecycle (taskLifecycle.ts) and the landing flow (landingFlow.ts).
import type { SchedulerState, TaskView } from '../protocol/schedulerMethods';
import type { LeaseStore } from '../store/leaseStore';
import type { AgentLauncher } from './agentLauncher';
import type { PlanDocument } from './planDocument';
import type { TrackedScopeIndex } from './trackedScopeIndex';

export interface SchedulerOptions {
  /** Any folder of the checkout whose `.lockstep/plan.yaml` drives the scheduler (read-only tasks run there). */
  repoDir: string;
  launcher: AgentLauncher;
  /** Default: the embedded store of the repository. */
  store?: LeaseStore;
  /** Plan file, absolute or relative to the checkout root. Default `.lockstep/plan.yaml`. */
  planFile?: string;
  /** Overrides the plan's maxParallel. */
  maxParallel?: number;
  /** Base environment of agents and setup commands. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** dist/ of the Lockstep whose CLI agents and hooks run. Default: this installation's. */
  distDir?: string;
  /** Kill a setup command after this long. Default 10 min. */
  setupTimeoutMs?: number;
  /** Kill the plan's verify command after this long when landing. Default 30 min. */
  verifyTimeoutMs?: number;
  log?: (line: string) => void;
  /**
   * Mailbox seam: delivers a notice to a task's agent (why its landing failed). No mailbox exists yet;
   * without this the notice goes to `log`.
   */
  notifyTask?: (task: string, message: string) => void;
  /** Called after every change this scheduler made (task state, plan file). */
  onChange?: () => void;
  /**
   * Called after each write of the plan file, with its path: the coordinator records it as Lockstep's
   * write for the user, so the plan it wrote is not counted as an unleased edit.
   */
  planWritten?: (file: string) => void;
}

export interface SchedulerContext {
  readonly opts: SchedulerOptions;
  /** Root of the checkout (read-only tasks run here). */
  readonly root: string;
  readonly commonDir: string;
  readonly store: LeaseStore;
  readonly plan: PlanDocument;
  readonly scopeIndex: TrackedScopeIndex;
  log(line: string): void;
  /** Tells listeners (and waitForChange) that task state or the plan changed. */
  changed(): void;
  /** Whether task `id` is being started by this scheduler right now. */
  isStarting(id: string): boolean;
  /** The plan and every task's view (Scheduler.list). */
  list(): Promise<SchedulerState>;
  /** One task's view, also when it is no longer in the plan. */
  viewOf(id: string): Promise<TaskView>;
  /** The task's agent log. */
  logFile(task: string): string;
  /** Where the agent's supervisor records how it ended (agentSupervisor.ts). */
  exitFile(task: string): string;
}
