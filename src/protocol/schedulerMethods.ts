// The scheduler's messages between the coordinator server and its client (the VS Code extension),
// declared once. The server registers a handler for each entry of `schedulerRequests`
// (src/server/schedulerHost.ts) and validates params with its zod schema; bad params get a
// ResponseError (InvalidParams) with a one-line message naming the field.
//
//  client → server requests: getSchedulerState, startTask, stopTask, finishTask, abandonTask,
//    addTask, updateTask, removeTask, validatePlan (below). Plan edits rewrite `.lockstep/plan.yaml`
//    through core/planFile.ts: the file stays the source of truth.
//  server → client notification `lockstep/schedulerChanged`: the whole SchedulerState, whenever the
//    plan file or a task's run-time state (store) changes.
//  server → client request `lockstep/launchAgentTerminal {task, cwd, argv, env}` → `{pid?}`: open a
//    terminal running argv (no shell parsing) in cwd with env; answer the agent's pid when known.
//  client → server notification `lockstep/agentExited {task, exitCode}`: that terminal's agent exited.
//  Landing: client → server landTasks, undoLanding, getLandableTasks, getCheckOutput, getCommitText;
//    server → client notification `lockstep/landingProgress {step, task?, detail}` while landTasks runs.
//  Landing queue (#17): SchedulerState.queue shows it; client → server pauseLandingQueue, runLandingQueue;
//    server → client notification `lockstep/landingQueueBatch` after each batch the queue ran.
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import * as z from '../core/zodClassic';
import { request } from './requestSpec';
import { PlanTarget, ScopeGlob, TaskId } from '../core/plan';
import { PLAN_TEMPLATE_IDS } from '../core/planTemplates';
import { TaskState, TaskStatus } from '../core/task';

// ---- views -----------------------------------------------------------------------------------

/** One problem of the plan file; `text` is the one-line form `.lockstep/plan.yaml:14: tasks[1].scope: …`. */
export const PlanIssueView = z.object({
  file: z.string(),
  /** 1-based; 0 when the problem has no place in the file. */
  line: z.number().int().nonnegative(),
  field: z.string(),
  message: z.string(),
  text: z.string(),
});
export type PlanIssueView = z.infer<typeof PlanIssueView>;

/** A task of the plan with where it stands and, when it waits, why. */
export const TaskView = z.object({
  id: z.string(),
  title: z.string(),
  /** The plan's agent name (`claude` when the task names none). */
  agent: z.string(),
  phase: z.number().int(),
  readOnly: z.boolean(),
  scope: z.array(z.string()),
  dependsOn: z.array(z.string()),
  /** Stored status, except that a queued task the gate would start now shows as `ready`. */
  status: TaskStatus,
  /** The stored state with its detail (failed reason, conflicting paths). */
  state: TaskState,
  /** The gate would start it now. */
  startable: z.boolean(),
  /** Every reason it waits, in words (empty when startable or not waiting). */
  reasons: z.array(z.string()),
  /** `lockstep/<id>` (write tasks, once started). */
  branch: z.string().optional(),
  /** Absolute path of its worktree (write tasks, once started). */
  worktree: z.string().optional(),
  /** Sessions working for it; the scheduler's own is `<agent>:lockstep-<id>`. */
  sessions: z.array(z.string()),
  /** The agent's pid, when known and the task runs. */
  pid: z.number().optional(),
  /** The agent's output (headless launcher). */
  logFile: z.string(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  landedAt: z.number().optional(),
});
export type TaskView = z.infer<typeof TaskView>;

export const PlanSummary = z.object({
  /** Absolute path of the plan file. */
  file: z.string(),
  exists: z.boolean(),
  valid: z.boolean(),
  /** Empty when valid. */
  issues: z.array(PlanIssueView),
  target: z.string().optional(),
  autoRun: z.boolean(),
  /** Absolute folder of the task worktrees. */
  worktreesRoot: z.string().optional(),
});
export type PlanSummary = z.infer<typeof PlanSummary>;

/** Where a task stands in the landing queue. */
export const QueueEntryState = z.enum(['waiting', 'held', 'verifying', 'landed', 'failed']);
export type QueueEntryState = z.infer<typeof QueueEntryState>;

export const QueueEntry = z.object({
  id: z.string(),
  state: QueueEntryState,
  /** Why it is held or failed, in words. */
  reason: z.string().optional(),
  finishedAt: z.number().optional(),
  landedAt: z.number().optional(),
});
export type QueueEntry = z.infer<typeof QueueEntry>;

/** The landing queue (scheduler/landingQueue.ts), as `lockstep queue --json` prints it and the Scheduler view shows it. */
export const QueueView = z.object({
  target: z.string(),
  paused: z.boolean(),
  /** The plan's landingQueue settings. */
  enabled: z.boolean(),
  batchSize: z.number().int().positive(),
  parallel: z.number().int().positive(),
  /** Waiting entries in the order they land; then held, verifying, failed, landed (newest first). */
  entries: z.array(QueueEntry),
});
export type QueueView = z.infer<typeof QueueView>;

export const SchedulerState = z.object({
  plan: PlanSummary,
  /** In plan order; empty when the plan is invalid or absent. */
  tasks: z.array(TaskView),
  /** The cap in force (the plan's unless overridden). */
  maxParallel: z.number().int().positive(),
  /** Tasks taking a slot now. */
  running: z.number().int().nonnegative(),
  /** The landing queue (the coordinator adds it; absent when the plan is invalid or absent). */
  queue: QueueView.optional(),
});
export type SchedulerState = z.infer<typeof SchedulerState>;

/** Something a cleanup left in place, and why (Lockstep never deletes work). */
export const KeptItem = z.object({
  kind: z.enum(['worktree', 'branch']),
  /** Worktree path or branch name. */
  name: z.string(),
  why: z.string(),
});
export type KeptItem = z.infer<typeof KeptItem>;

// ---- request payloads --------------------------------------------------------------------------

const NoParams = z.preprocess((v) => (v == null ? {} : v), z.object({}).strict());

export const TaskIdParams = z.object({ id: TaskId }).strict();
export type TaskIdParams = z.infer<typeof TaskIdParams>;

export const StartTaskResult = z.object({
  task: TaskView,
  /** What the start did beyond the obvious (reused a branch, repaired a worktree, installed hooks…). */
  notes: z.array(z.string()),
  pid: z.number().optional(),
  logFile: z.string(),
});
export type StartTaskResult = z.infer<typeof StartTaskResult>;

export const TaskActionResult = z.object({ task: TaskView, notes: z.array(z.string()) });
export type TaskActionResult = z.infer<typeof TaskActionResult>;

export const AbandonTaskResult = z.object({
  task: TaskView,
  removed: z.array(z.string()),
  kept: z.array(KeptItem),
  /** One line: what was removed and what was kept, and why. */
  message: z.string(),
});
export type AbandonTaskResult = z.infer<typeof AbandonTaskResult>;

/** A task as written in the plan (defaults are not written for fields left out). */
export const TaskSpecParams = z
  .object({
    id: TaskId,
    title: z.string().min(1),
    prompt: z.string().min(1),
    agent: z.string().optional(),
    scope: z.array(ScopeGlob).optional(),
    readOnly: z.boolean().optional(),
    phase: z.number().int().positive().optional(),
    dependsOn: z.array(TaskId).optional(),
  })
  .strict();

export const AddTaskParams = z.object({ task: TaskSpecParams, after: TaskId.optional() }).strict();
export type AddTaskParams = z.infer<typeof AddTaskParams>;

/** Fields to change; `null` removes an optional field (agent, scope, readOnly, phase, dependsOn). */
export const TaskPatch = z
  .object({
    id: TaskId,
    title: z.string().min(1),
    prompt: z.string().min(1),
    agent: z.string().nullable(),
    scope: z.array(ScopeGlob).nullable(),
    readOnly: z.boolean().nullable(),
    phase: z.number().int().positive().nullable(),
    dependsOn: z.array(TaskId).nullable(),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'give at least one field to change');
export const UpdateTaskParams = z.object({ id: TaskId, patch: TaskPatch }).strict();
export type UpdateTaskParams = z.infer<typeof UpdateTaskParams>;

export const PlanEditResult = z.object({ file: z.string(), state: SchedulerState });
export type PlanEditResult = z.infer<typeof PlanEditResult>;

/** A new plan from a template (planTemplates.ts); refused when a plan file exists. */
export const CreatePlanParams = z.object({ template: z.enum(PLAN_TEMPLATE_IDS), target: PlanTarget.optional() }).strict();
export type CreatePlanParams = z.infer<typeof CreatePlanParams>;

export const ValidatePlanParams = z.preprocess(
  (v) => (v == null ? {} : v),
  z
    .object({
      /** Plan text to check instead of the file (e.g. an unsaved editor buffer). */
      text: z.string().max(4_000_000).optional(),
    })
    .strict(),
);
export type ValidatePlanParams = z.infer<typeof ValidatePlanParams>;
export const ValidatePlanResult = z.object({ valid: z.boolean(), issues: z.array(PlanIssueView) });
export type ValidatePlanResult = z.infer<typeof ValidatePlanResult>;

// ---- landing --------------------------------------------------------------------------------

export const LandTasksParams = z
  .object({
    ids: z.array(TaskId).min(1),
    /** true: all together or none; false (default): one by one in landing order, stopping at the first failure. */
    atomic: z.boolean().default(false),
  })
  .strict();
export type LandTasksParams = z.infer<typeof LandTasksParams>;

export const LandingCulpritView = z.object({
  task: z.string(),
  kind: z.enum(['conflict', 'check']),
  /** Conflicting paths (conflict). */
  paths: z.array(z.string()).optional(),
  /** The check's captured output (check), capped. */
  output: z.string().optional(),
  /** File keeping the check's output (`<common>/lockstep/logs/<task>-check.log`). */
  checkLog: z.string().optional(),
});
export type LandingCulpritView = z.infer<typeof LandingCulpritView>;

export const LandTasksResult = z.object({
  ok: z.boolean(),
  /** Tasks now landed, in landing order (some may have landed before a failure when one by one). */
  landed: z.array(z.string()),
  culprit: LandingCulpritView.optional(),
  /** Every culprit (a queue batch can have several). */
  culprits: z.array(LandingCulpritView).optional(),
  /** Queue batch: tasks that did not land because a task they depend on is a culprit. */
  heldBack: z.array(z.object({ task: z.string(), waitsFor: z.string() })).optional(),
  /** Verification runs the landing used. */
  verifyRuns: z.number().optional(),
  /** One line. */
  message: z.string(),
  removed: z.array(z.string()),
  kept: z.array(KeptItem),
  /** The target branch. */
  target: z.string().optional(),
  /** Target commit before and after (equal when nothing moved). */
  before: z.string().optional(),
  after: z.string().optional(),
});
export type LandTasksResult = z.infer<typeof LandTasksResult>;

/** One step of a landing, for a progress display. */
export const LandingProgress = z.object({
  /** checking · merging · verifying · verified · moving-target · landed · checkout · retry · cleanup */
  step: z.string(),
  task: z.string().optional(),
  /** One line for a person. */
  detail: z.string(),
});
export type LandingProgress = z.infer<typeof LandingProgress>;

export const PauseLandingQueueParams = z.object({ paused: z.boolean() }).strict();
export type PauseLandingQueueParams = z.infer<typeof PauseLandingQueueParams>;

export const QueueRunResult = z.object({
  ok: z.boolean(),
  /** Each batch the run landed or took culprits out of, in order. */
  batches: z.array(LandTasksResult),
  /** The run stopped because the queue is paused. */
  paused: z.boolean(),
  /** One line per batch, then why the run ended. */
  message: z.string(),
});
export type QueueRunResult = z.infer<typeof QueueRunResult>;

/** Server → client after each batch of the landing queue (run by the coordinator or a runLandingQueue request). */
export const LandingQueueBatch = z.object({
  /** The tasks the batch took, in landing order. */
  ids: z.array(z.string()),
  result: LandTasksResult,
});
export type LandingQueueBatch = z.infer<typeof LandingQueueBatch>;

export const UndoLandingParams = z.preprocess(
  (v) => (v == null ? {} : v),
  z
    .object({
      /** Rebase the task branches built on the landing off its commits (else such an undo is refused, naming them). */
      rebaseDependents: z.boolean().optional(),
    })
    .strict(),
);
export type UndoLandingParams = z.infer<typeof UndoLandingParams>;

/** A task whose branch contains the commits an undo takes off the target (it forked from the landing). */
export const UndoDependent = z.object({
  task: z.string(),
  status: z.string(),
  branch: z.string(),
  /** Where the branch is checked out, when it is. */
  worktree: z.string().optional(),
});
export type UndoDependent = z.infer<typeof UndoDependent>;

export const UndoLandingResult = z.object({
  ok: z.boolean(),
  /** One line: what was undone, or why not. */
  message: z.string(),
  target: z.string().optional(),
  /** Commit the target is back at, and the commit it left. */
  restored: z.string().optional(),
  undone: z.string().optional(),
  /** Tasks put back to finished. */
  tasks: z.array(z.string()),
  /** Task branches re-created at their tips (they had been deleted after landing). */
  branches: z.array(z.string()),
  /** Tasks built on the landing (a refusal names them; with rebaseDependents they are rebased). */
  dependents: z.array(UndoDependent).optional(),
  /** Branches rebased off the undone commits: from the old tip (kept in the branch's reflog) to the new. */
  rebased: z.array(z.object({ task: z.string(), branch: z.string(), from: z.string(), to: z.string() })).optional(),
});
export type UndoLandingResult = z.infer<typeof UndoLandingResult>;

export const LandableTask = z.object({
  id: z.string(),
  title: z.string(),
  status: TaskStatus,
  phase: z.number().int(),
  branch: z.string(),
  /** Commits on the branch that are not on the target. */
  ahead: z.number().int().nonnegative(),
});
export type LandableTask = z.infer<typeof LandableTask>;
export const LandableTasksResult = z.object({ target: z.string(), tasks: z.array(LandableTask) });
export type LandableTasksResult = z.infer<typeof LandableTasksResult>;

export const CheckOutputResult = z.object({
  id: z.string(),
  file: z.string(),
  exists: z.boolean(),
  /** The output of the task's last failed check (empty when none is kept). */
  text: z.string(),
});
export type CheckOutputResult = z.infer<typeof CheckOutputResult>;

const FullCommitId = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'expected a full commit id');
export const CommitTextParams = z
  .object({
    commit: FullCommitId,
    /** The target before a landing: then the text covers every commit the landing added (since..commit). */
    since: FullCommitId.optional(),
  })
  .strict();
export type CommitTextParams = z.infer<typeof CommitTextParams>;
export const CommitTextResult = z.object({ commit: z.string(), text: z.string() });
export type CommitTextResult = z.infer<typeof CommitTextResult>;

// ---- the registry ----------------------------------------------------------------------------

/** Every client → server scheduler request. */
export const schedulerRequests = {
  /** The plan (or its issues) and every task with status, reasons, branch and worktree. */
  getSchedulerState: request('lockstep/getSchedulerState', NoParams, SchedulerState, {}),
  /** Start a task now; refused with the gate's reasons unless it is startable. */
  startTask: request('lockstep/startTask', TaskIdParams, StartTaskResult, { id: 'api' }),
  /** Stop a running task's agent; the task goes back to queued, its branch and worktree kept. */
  stopTask: request('lockstep/stopTask', TaskIdParams, TaskActionResult, { id: 'api' }),
  /** Mark a task finished (its agent is done); its worktree stays until it lands. */
  finishTask: request('lockstep/finishTask', TaskIdParams, TaskActionResult, { id: 'api' }),
  /** Give a task up: its worktree is removed only when clean, its branch deleted only when merged. */
  abandonTask: request('lockstep/abandonTask', TaskIdParams, AbandonTaskResult, { id: 'api' }),
  /** Write a new plan from a template (the repository's source folders filled in), as Lockstep's write for the user. */
  createPlan: request('lockstep/createPlan', CreatePlanParams, PlanEditResult, { template: 'blank' }),
  addTask: request('lockstep/addTask', AddTaskParams, PlanEditResult, { task: { id: 'docs', title: 'Docs', prompt: 'Write the docs', scope: ['docs/**'] } }),
  updateTask: request('lockstep/updateTask', UpdateTaskParams, PlanEditResult, { id: 'docs', patch: { phase: 2 } }),
  removeTask: request('lockstep/removeTask', TaskIdParams, PlanEditResult, { id: 'docs' }),
  /** Check the plan file (or the given text) without changing anything. */
  validatePlan: request('lockstep/validatePlan', ValidatePlanParams, ValidatePlanResult, {}),
  /** Land tasks on the plan's target (verified first); progress arrives as `lockstep/landingProgress`. */
  landTasks: request('lockstep/landTasks', LandTasksParams, LandTasksResult, { ids: ['api'], atomic: true }),
  /** Undo the last landing on the target when nothing landed since; its tasks go back to finished. Refused, naming them, when task branches are built on it, unless rebaseDependents. */
  undoLanding: request('lockstep/undoLanding', UndoLandingParams, UndoLandingResult, {}),
  /** Tasks that can land now: finished, or with commits on `lockstep/<id>` made by hand. */
  getLandableTasks: request('lockstep/getLandableTasks', NoParams, LandableTasksResult, {}),
  /** The output of a task's last failed landing check. */
  getCheckOutput: request('lockstep/getCheckOutput', TaskIdParams, CheckOutputResult, { id: 'api' }),
  /** `git show --stat` of a commit, or with `since` the whole landing (diffstat and its merges), for a read-only document. */
  getCommitText: request('lockstep/getCommitText', CommitTextParams, CommitTextResult, { commit: '0'.repeat(40) }),
  /** Pause (the running batch finishes, no new one starts) or resume the landing queue; answers the queue. */
  pauseLandingQueue: request('lockstep/pauseLandingQueue', PauseLandingQueueParams, QueueView, { paused: false }),
  /** Land what waits in the queue now, batch after batch (also when landingQueue.enabled is off); each batch is also sent as `lockstep/landingQueueBatch`. */
  runLandingQueue: request('lockstep/runLandingQueue', NoParams, QueueRunResult, {}),
} as const;
export type SchedulerRequests = typeof schedulerRequests;
export type SchedulerRequestName = keyof SchedulerRequests;
export type SchedulerRequestParams<K extends SchedulerRequestName> = z.infer<SchedulerRequests[K]['params']>;
export type SchedulerRequestResult<K extends SchedulerRequestName> = z.infer<SchedulerRequests[K]['result']>;

// ---- server → client ---------------------------------------------------------------------------

export const LaunchAgentTerminalParams = z
  .object({
    task: TaskId,
    /** Folder the terminal starts in. */
    cwd: z.string().min(1),
    /** Program and arguments, passed as such (e.g. vscode TerminalOptions shellPath + shellArgs). */
    argv: z.array(z.string()).min(1),
    /** Environment to add (LOCKSTEP_TASK, LOCKSTEP_SESSION, PATH…). */
    env: z.record(z.string(), z.string()),
  })
  .strict();
export type LaunchAgentTerminalParams = z.infer<typeof LaunchAgentTerminalParams>;
export const LaunchAgentTerminalResult = z.object({ pid: z.number().int().positive().optional() });
export type LaunchAgentTerminalResult = z.infer<typeof LaunchAgentTerminalResult>;
export const launchAgentTerminalRequest = new RequestType<LaunchAgentTerminalParams, LaunchAgentTerminalResult, void>('lockstep/launchAgentTerminal');

/** Server → client: the scheduler's whole state after any change of the plan file or of task state. */
export const schedulerChangedNotification = new NotificationType<SchedulerState>('lockstep/schedulerChanged');

/** Server → client: a step of the landing that a landTasks request is running. */
export const landingProgressNotification = new NotificationType<LandingProgress>('lockstep/landingProgress');

/** Server → client: a batch of the landing queue has run (landed, took culprits out, or was refused). */
export const landingQueueBatchNotification = new NotificationType<LandingQueueBatch>('lockstep/landingQueueBatch');

// ---- client → server notifications -------------------------------------------------------------

export const AgentExitedParams = z
  .object({
    task: TaskId,
    /** null when the terminal was closed without an exit status. */
    exitCode: z.number().int().nullable(),
  })
  .strict();
export type AgentExitedParams = z.infer<typeof AgentExitedParams>;
export const agentExitedNotification = new NotificationType<AgentExitedParams>('lockstep/agentExited');
