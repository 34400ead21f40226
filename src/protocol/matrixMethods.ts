// The conflict matrix's messages, declared once: between the coordinator server and its client (the
// VS Code extension, or any JSON-RPC client), and between the extension and the matrix webview.
// This file imports only zod so the webview bundle can use it in the browser: requests are named by
// their method strings (`connection.onRequest(method)`, `client.sendRequest(method, params)`).
//
//  client → server requests (`matrixRequests`): getMatrix, getMatrixCell, applyWaves, gitShow.
//    The server starts tracking the matrix at the first getMatrix and from then on pushes
//  server → client notification `lockstep/matrixChanged` (a MatrixState, debounced ~100 ms) after a
//    lease, edit, worktree change, commit, plan or task-state change altered it.
//  The grid state carries counts only; the files of a pair (who holds/changed each and why) come
//  from getMatrixCell when a person opens the cell.
//
//  extension ↔ webview: `ToWebview` / `FromWebview`, discriminated on `type`, validated with zod on
//  arrival on both sides. The webview posts `ready` first; the extension answers with `state`.
import * as z from '../core/zodClassic';
import { ownRecordSchema } from '../core/ownRecord';

// ---- views -----------------------------------------------------------------------------------

export const OVERLAP_KINDS = ['none', 'planned', 'live', 'merge'] as const;
export const OverlapKindView = z.enum(OVERLAP_KINDS);
export type OverlapKindView = z.infer<typeof OverlapKindView>;

const TASK_STATUS_VALUES = ['queued', 'ready', 'running', 'finished', 'landing', 'landed', 'blocked', 'conflicted', 'failed'] as const;

/** A row/column of the matrix: a plan task, or a live session not tied to a task. */
export const MatrixParticipantView = z.object({
  /** Task id, or session id (`claude:3f2a…`, `vscode:alice`) for a session. */
  id: z.string().min(1),
  kind: z.enum(['task', 'session']),
  /** The task's title; the session's id for a session. */
  title: z.string(),
  /** Agent name (plan's agent for a task, the session's agent). */
  agent: z.string().optional(),
  /** Stored task status (`queued` until the task started); absent for sessions. */
  status: z.enum(TASK_STATUS_VALUES).optional(),
  readOnly: z.boolean(),
  phase: z.number().int().optional(),
  scope: z.array(z.string()),
  dependsOn: z.array(z.string()),
  /** `lockstep/<id>` when that branch exists. */
  branch: z.string().optional(),
  /** Commit the branch points at. */
  tip: z.string().optional(),
  worktree: z.string().optional(),
  sessions: z.array(z.string()),
  /** Numbers of keys leased, edited (recorded edits and uncommitted changes) and changed on the branch. */
  leased: z.number().int().nonnegative(),
  edited: z.number().int().nonnegative(),
  branchChanged: z.number().int().nonnegative(),
});
export type MatrixParticipantView = z.infer<typeof MatrixParticipantView>;

/** One pair of the grid, counts only. Pairs without any overlap are not listed. */
export const MatrixCellSummary = z.object({
  a: z.string(),
  b: z.string(),
  strongest: OverlapKindView,
  /** Files of the strongest kind (0 for a planned overlap of patterns only). */
  count: z.number().int().nonnegative(),
  planned: z.number().int().nonnegative(),
  /** Glob pairs [globOfA, globOfB] whose patterns may overlap or share files. */
  plannedGlobs: z.number().int().nonnegative(),
  live: z.number().int().nonnegative(),
  merge: z.number().int().nonnegative(),
});
export type MatrixCellSummary = z.infer<typeof MatrixCellSummary>;

/** A file of a cell with who holds/changed it and why, one sentence per side. */
export const MatrixFileView = z.object({ path: z.string(), why: z.array(z.string()) });
export type MatrixFileView = z.infer<typeof MatrixFileView>;

export const MatrixPartView = z.object({
  count: z.number().int().nonnegative(),
  files: z.array(MatrixFileView),
  /** More files exist than listed (the limit of the request). */
  truncated: z.boolean(),
});
export type MatrixPartView = z.infer<typeof MatrixPartView>;

/** Everything about one pair, for the cell's detail. */
export const MatrixCellDetail = z.object({
  a: z.string(),
  b: z.string(),
  strongest: OverlapKindView,
  planned: MatrixPartView.extend({ globs: z.array(z.tuple([z.string(), z.string()])) }),
  live: MatrixPartView,
  merge: MatrixPartView,
  /** Branches to diff (both exist), else why not. */
  diff: z.discriminatedUnion('available', [
    z.object({ available: z.literal(true), left: z.string(), right: z.string() }),
    z.object({ available: z.literal(false), reason: z.string() }),
  ]),
});
export type MatrixCellDetail = z.infer<typeof MatrixCellDetail>;

export const WavesView = z.object({
  /** Suggested waves (task ids): tasks of a wave do not overlap in plan; a task follows its dependencies. */
  suggested: z.array(z.array(z.string())),
  /** The plan's phases already group the tasks exactly like the waves. */
  matchesPhases: z.boolean(),
  /** No task has started yet, so the waves can still be applied as phases. */
  applicable: z.boolean(),
});
export type WavesView = z.infer<typeof WavesView>;

export const MatrixState = z.object({
  /** Increases with every visible change (the server pushes each one; the CLI computes one state, revision 1). */
  revision: z.number().int().nonnegative(),
  computedAt: z.number(),
  /** Only scopes were compared (no leases, edits or branches). */
  plannedOnly: z.boolean(),
  repoRoot: z.string(),
  plan: z.object({
    file: z.string(),
    exists: z.boolean(),
    valid: z.boolean(),
    /** First problem of an invalid plan, one line. */
    issue: z.string().optional(),
    target: z.string().optional(),
  }),
  participants: z.array(MatrixParticipantView),
  cells: z.array(MatrixCellSummary),
  waves: WavesView.nullable(),
  merge: z.object({
    /** Pairs of branches simulated with `git merge-tree` (results cached by the pair of commits). */
    pairsChecked: z.number().int().nonnegative(),
    /** Pairs known clean without git: their branches changed unrelated paths since a common fork point. */
    pairsSkipped: z.number().int().nonnegative(),
    errors: z.array(z.object({ a: z.string(), b: z.string(), message: z.string() })),
  }),
  /** Whether the page may offer to message a task's agent or a session (through `lockstep send`'s mailboxes); the UI says why not. */
  mailbox: z.discriminatedUnion('available', [z.object({ available: z.literal(true) }), z.object({ available: z.literal(false), reason: z.string() })]),
});
export type MatrixState = z.infer<typeof MatrixState>;

// ---- request payloads --------------------------------------------------------------------------

const NoParams = z.preprocess((v) => (v == null ? {} : v), z.object({}).strict());

/** A participant id: a task id or a session id. */
const ParticipantId = z.string().min(1).max(300);

/** A repository path as the matrix lists it: relative, POSIX, no `..`, no `.git`. */
export const RepoPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:/.test(p) && !p.includes('\0') && !p.includes('\\'), 'must be a repository-relative path')
  .refine((p) => !p.split('/').some((s) => s === '..' || s === '.' || s === '' || s.toLowerCase() === '.git'), 'must not contain "..", "." or ".git" components');

/** A revision the gitShow request may read: a task branch, the plan's target branch, or a full commit id. */
export const ShowRevision = z
  .string()
  .min(1)
  .max(200)
  .regex(/^(?!-)[A-Za-z0-9._/-]+$/, 'must be a branch name or a commit id')
  .refine((r) => !r.includes('..') && !r.endsWith('.lock') && !r.endsWith('/'), 'must be a branch name or a commit id');

export const GetMatrixParams = z.preprocess(
  (v) => (v == null ? {} : v),
  z.object({ /** Compare scopes only (the planned matrix), nothing live. */ planned: z.boolean().optional() }).strict(),
);
export type GetMatrixParams = z.infer<typeof GetMatrixParams>;

export const GetMatrixCellParams = z
  .object({
    a: ParticipantId,
    b: ParticipantId,
    /** At most this many files per kind (default 500). */
    limit: z.number().int().min(1).max(100_000).optional(),
  })
  .strict()
  .refine((p) => p.a !== p.b, { message: 'a and b must name two different tasks or sessions', path: ['b'] });
export type GetMatrixCellParams = z.infer<typeof GetMatrixCellParams>;

export const ApplyWavesResult = z.object({
  /** Absolute path of the plan file that was rewritten. */
  file: z.string(),
  waves: z.array(z.array(z.string())),
  /** Task id → its new phase. */
  phases: ownRecordSchema(z.number().int().positive()),
});
export type ApplyWavesResult = z.infer<typeof ApplyWavesResult>;

export const GitShowParams = z.object({ rev: ShowRevision, path: RepoPath }).strict();
export type GitShowParams = z.infer<typeof GitShowParams>;
export const GitShowResult = z.object({
  /** The file exists in that revision. */
  exists: z.boolean(),
  binary: z.boolean(),
  /** Its bytes in bytes. */
  size: z.number().int().nonnegative(),
  /** UTF-8 text ('' when absent or binary; cut at 5 MB). */
  text: z.string(),
});
export type GitShowResult = z.infer<typeof GitShowResult>;

// ---- the registry ----------------------------------------------------------------------------

interface MatrixRequestSpec<P extends z.ZodTypeAny, R extends z.ZodTypeAny> {
  method: string;
  params: P;
  result: R;
  /** Valid params for a smoke call. */
  example: z.input<P>;
}

function request<P extends z.ZodTypeAny, R extends z.ZodTypeAny>(method: string, params: P, result: R, example: z.input<P>): MatrixRequestSpec<P, R> {
  return { method, params, result, example };
}

/** Every client → server matrix request. */
export const matrixRequests = {
  /** The matrix now (and, from then on, `lockstep/matrixChanged` pushes). */
  getMatrix: request('lockstep/getMatrix', GetMatrixParams, MatrixState, {}),
  /** The files of one pair, per kind, with who holds/changed each and why. */
  getMatrixCell: request('lockstep/getMatrixCell', GetMatrixCellParams, MatrixCellDetail, { a: 'api', b: 'web' }),
  /** Writes the suggested waves into the plan as phases (wave i → phase i+1); refused once a task started. */
  applyWaves: request('lockstep/applyWaves', NoParams, ApplyWavesResult, {}),
  /** A file's content in a revision, for read-only diff documents (`lockstep-git:` URIs). */
  gitShow: request('lockstep/gitShow', GitShowParams, GitShowResult, { rev: 'main', path: 'README.md' }),
} as const;
export type MatrixRequests = typeof matrixRequests;
export type MatrixRequestName = keyof MatrixRequests;
export type MatrixRequestParams<K extends MatrixRequestName> = z.input<MatrixRequests[K]['params']>;
export type MatrixRequestResult<K extends MatrixRequestName> = z.infer<MatrixRequests[K]['result']>;

/** Server → client: the matrix changed (whole state, counts only). */
export const MATRIX_CHANGED = 'lockstep/matrixChanged';

// ---- extension ↔ webview -----------------------------------------------------------------------

/** Extension → webview. */
export const ToWebview = z.discriminatedUnion('type', [
  /** The whole grid state (after `ready`, and on every change). */
  z.object({ type: z.literal('state'), state: MatrixState }),
  /** The coordinator is not running or the matrix failed; shown instead of the grid. */
  z.object({ type: z.literal('unavailable'), message: z.string() }),
  /** Answer to `selectCell`. */
  z.object({ type: z.literal('cell'), detail: MatrixCellDetail }),
  z.object({ type: z.literal('cellError'), a: z.string(), b: z.string(), message: z.string() }),
  /** Outcome of an action (serialize, apply waves…), shown in the page's notice line. */
  z.object({ type: z.literal('notice'), level: z.enum(['info', 'error']), message: z.string() }),
]);
export type ToWebview = z.infer<typeof ToWebview>;

/** Webview → extension. */
export const FromWebview = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('refresh') }),
  z.object({ type: z.literal('selectCell'), a: ParticipantId, b: ParticipantId }),
  /** Opens the file (in the task's worktree when given and present there). */
  z.object({ type: z.literal('openFile'), path: RepoPath, task: ParticipantId.optional() }),
  /** Opens the diff of the file between the branches of a and b. */
  z.object({ type: z.literal('openDiff'), a: ParticipantId, b: ParticipantId, path: RepoPath }),
  /** Makes `then` depend on `first` in the plan (the scheduler's updateTask). */
  z.object({ type: z.literal('serialize'), first: ParticipantId, then: ParticipantId }),
  z.object({ type: z.literal('applyWaves') }),
  /** Asks the user for a message to a task's agent (task id) or a session (session id), sent through its mailbox. */
  z.object({ type: z.literal('message'), to: ParticipantId }),
]);
export type FromWebview = z.infer<typeof FromWebview>;

/** One line naming the first bad field. */
export function describeMessageError(what: string, error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return `${what}: invalid`;
  return `${what}: ${issue.path.length > 0 ? issue.path.join('.') : 'message'}: ${issue.message}`;
}
