// Every message between the VS Code extension (or any LSP client) and the coordinator server,
// declared once. The server registers a handler for each entry of `coordinatorRequests` (the type
// system and a test both check that none is missing) and validates params with its zod schema;
// bad params get a ResponseError (code InvalidParams) with a one-line message naming the field.
//
// Lifecycle:
//  1. client → `initialize` with `initializationOptions: InitializationOptions` and rootUri.
//     The result carries `lockstep: InitializeInfo` (`repo: null` + `reason` outside a git repo:
//     the server then stays idle and answers every lockstep request with an error).
//  2. client → `initialized`; server → `lockstep/snapshot` (full state, revision N).
//  3. server → `lockstep/stateChanged` deltas, revision N+1, N+2…; a client that sees a gap
//     (delta.baseRevision ≠ its revision, or another epoch) calls `lockstep/getSnapshot`.
//     Use `applyDelta` from ./coordinatorState.
//  4. client → the requests below; their effects arrive as deltas like everyone else's.
// Standard LSP: the server publishes Information diagnostics (when enabled) and hovers on open
// documents whose file is leased by another session than the user's.
import { NotificationType } from 'vscode-languageserver-protocol';
import * as z from '../core/zodClassic';
import { request } from './requestSpec';
import { AgentName } from '../core/model';
import { storeUrlProblem } from '../core/storeUrl';
import { CoordinatorConfig, LeaseView, Snapshot, StateDelta } from './coordinatorState';

// ---- initialize --------------------------------------------------------------------------------

export const InitializationOptions = z
  .object({
    /** Absolute path of the workspace folder; defaults to the rootUri/workspaceFolders[0]. */
    root: z.string().min(1).optional(),
    /** The user's session id, `vscode:<name>`; defaults to `vscode:<OS user name>`. */
    userSessionId: z
      .string()
      .regex(/^vscode:[\w.@-]{1,100}$/, 'must look like vscode:<name> (letters, digits, . _ @ -)')
      .optional(),
    /** Publish LSP diagnostics on files held by other sessions (default false). */
    diagnostics: z.boolean().optional(),
  })
  .passthrough();
export type InitializationOptions = z.infer<typeof InitializationOptions>;

/** Found under `lockstep` in the InitializeResult. */
export const InitializeInfo = z.object({
  /** null when the folder is not inside a git repository (the server is idle then). */
  repo: z.object({ commonDir: z.string(), root: z.string() }).nullable(),
  reason: z.string().optional(),
  userSession: z.string(),
  /** The coordinator's process id (a client shows it in its log, tests kill it to check recovery). */
  pid: z.number().int().positive().optional(),
  /** Request method names this server answers (for clients that probe). */
  methods: z.array(z.string()),
});
export type InitializeInfo = z.infer<typeof InitializeInfo>;

// ---- request payloads --------------------------------------------------------------------------

/** Requests without parameters accept `{}`, `null` or no params at all. */
const NoParams = z.preprocess((v) => (v == null ? {} : v), z.object({}).strict());

/** A path: absolute (inside any worktree of the repository) or relative to the workspace root. */
const PathList = z.array(z.string().min(1)).min(1).max(10_000);

export const ClaimParams = z
  .object({
    paths: PathList,
    /** Lease duration; default: the repository's lease TTL (setConfig ttlSeconds). */
    ttlSeconds: z.number().int().min(10).max(604_800).optional(),
  })
  .strict();
export type ClaimParams = z.infer<typeof ClaimParams>;

export const ClaimDenial = z.object({
  key: z.string(),
  /** The sentence an agent would read: who holds it, for how long. */
  message: z.string(),
  /** Session holding the key, when the denial is because it is held. */
  holder: z.string().optional(),
});
export type ClaimDenial = z.infer<typeof ClaimDenial>;

/** All or nothing: either every path is now leased to the user's session, or none changed. */
export const ClaimResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), granted: z.array(z.string()), renewed: z.array(z.string()), leases: z.array(LeaseView) }),
  z.object({ ok: z.literal(false), denials: z.array(ClaimDenial) }),
]);
export type ClaimResult = z.infer<typeof ClaimResult>;

export const ReleaseParams = z.object({ paths: PathList }).strict();
export type ReleaseParams = z.infer<typeof ReleaseParams>;
/** Releases only the user's own leases; `notHeld` lists keys the user did not hold (left untouched). */
export const ReleaseResult = z.object({ released: z.array(z.string()), notHeld: z.array(z.string()) });
export type ReleaseResult = z.infer<typeof ReleaseResult>;

export const ForceReleaseParams = z
  .object({
    /** Logical key (repo-relative POSIX path) or a path as in claim. */
    key: z.string().min(1),
    /** Why; recorded in the journal as "force-released by <user>: <reason>". */
    reason: z.string().min(1).max(500),
    /**
     * The lease the user confirmed releasing (its fence). If the key changed hands since (another
     * fence), nothing is released: the new holder never loses a lock nobody meant to take from it.
     */
    expectFence: z.number().int().positive().optional(),
  })
  .strict();
export type ForceReleaseParams = z.infer<typeof ForceReleaseParams>;
export const ForceReleaseResult = z.object({
  key: z.string(),
  released: z.boolean(),
  /** Set when nothing was released because the lease is not the one confirmed (expectFence). */
  changedHands: z.boolean().optional(),
  /** Session that held it (when released). */
  holder: z.string().optional(),
});
export type ForceReleaseResult = z.infer<typeof ForceReleaseResult>;

export const DoctorParams = z.preprocess(
  (v) => (v == null ? {} : v),
  z
    .object({
      /** Also repair what can be repaired safely (stuck lock of a dead process, corrupt state set aside). Default false. */
      repair: z.boolean().optional(),
    })
    .strict(),
);
export type DoctorParams = z.infer<typeof DoctorParams>;

export const EndSessionParams = z.object({ session: z.string().min(3).max(300), reason: z.string().min(1).max(500) }).strict();
export type EndSessionParams = z.infer<typeof EndSessionParams>;
export const EndSessionResult = z.object({ ended: z.boolean(), released: z.array(z.string()) });
export type EndSessionResult = z.infer<typeof EndSessionResult>;

const BranchName = z.string().min(1).max(250).refine((b) => !b.startsWith('-') && !/[\s~^:?*[\\]|\.\.|@\{/.test(b), 'not a valid branch name');
export const BranchChangesParams = z.object({ base: BranchName, branch: BranchName }).strict();
export type BranchChangesParams = z.infer<typeof BranchChangesParams>;
export const BranchChangesResult = z.object({
  /** The merge base of `base` and `branch` (full commit id): the left side of each diff. */
  mergeBase: z.string(),
  /** Files the branch changed since it forked from `base`. */
  files: z.array(z.object({ key: z.string(), status: z.string(), from: z.string().optional() })),
});
export type BranchChangesResult = z.infer<typeof BranchChangesResult>;

export const DoctorResult = z.object({
  /** Human-readable multi-line report. */
  text: z.string(),
  /** False when the report found a problem. */
  ok: z.boolean(),
});
export type DoctorResult = z.infer<typeof DoctorResult>;

export const InstallHooksParams = z
  .object({
    agent: AgentName,
    /** 'project': the repository's settings files; 'user': the user's home settings. */
    scope: z.enum(['project', 'user']),
  })
  .strict();
export type InstallHooksParams = z.infer<typeof InstallHooksParams>;
export const InstallHooksResult = z.object({
  /** Human-readable summary of what was written. */
  text: z.string(),
  /** Files created or changed. */
  files: z.array(z.string()),
});
export type InstallHooksResult = z.infer<typeof InstallHooksResult>;

export const SetConfigParams = z
  .object({
    ttlSeconds: z.number().int().min(10).max(86_400).optional(),
    failOpen: z.boolean().optional(),
    scopePolicy: z.enum(['deny', 'warn', 'off']).optional(),
    /** 'embedded' or a redis:// / rediss:// URL (team mode); the coordinator then restarts on it. */
    store: z
      .string()
      .superRefine((v, ctx) => {
        const problem = storeUrlProblem(v);
        if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
      })
      .optional(),
  })
  .strict()
  .refine((p) => p.ttlSeconds !== undefined || p.failOpen !== undefined || p.scopePolicy !== undefined || p.store !== undefined, {
    message: 'give at least one of ttlSeconds, failOpen, scopePolicy, store',
  });
export type SetConfigParams = z.infer<typeof SetConfigParams>;

export const StatusTextResult = z.object({
  /** One line for a status bar, e.g. "Lockstep: 3 agents · 5 locks · 2 unleased edits". */
  text: z.string(),
  /** Multi-line detail for a tooltip. */
  tooltip: z.string(),
});
export type StatusTextResult = z.infer<typeof StatusTextResult>;

export const ClientOptions = z.object({ diagnostics: z.boolean().optional() }).strict();
export type ClientOptions = z.infer<typeof ClientOptions>;

// ---- the registry ----------------------------------------------------------------------------

/** Every client → server request. */
export const coordinatorRequests = {
  /** The full state, now. */
  getSnapshot: request('lockstep/getSnapshot', NoParams, Snapshot, {}),
  /** Lease files to the user's session `vscode:<user>`: every agent is then denied them. */
  claim: request('lockstep/claim', ClaimParams, ClaimResult, { paths: ['README.md'] }),
  /** Release the user's own leases. */
  release: request('lockstep/release', ReleaseParams, ReleaseResult, { paths: ['README.md'] }),
  /** Release whoever holds a key (a person overriding a lock). */
  forceRelease: request('lockstep/forceRelease', ForceReleaseParams, ForceReleaseResult, { key: 'README.md', reason: 'smoke test' }),
  /** End a session (a person's decision): its leases are released; an agent still at work re-registers on its next hook call. */
  endSession: request('lockstep/endSession', EndSessionParams, EndSessionResult, { session: 'claude:nobody', reason: 'smoke test' }),
  /** What a branch changed since it forked from `base` (e.g. a task's `lockstep/<id>` against the target). */
  getBranchChanges: request('lockstep/getBranchChanges', BranchChangesParams, BranchChangesResult, { base: 'main', branch: 'main' }),
  /** Health report of the store, hooks and watchers. */
  doctor: request('lockstep/doctor', DoctorParams, DoctorResult, {}),
  /** Install Lockstep's hook into an agent's settings. */
  installHooks: request('lockstep/installHooks', InstallHooksParams, InstallHooksResult, { agent: 'claude', scope: 'project' }),
  /** Change repository-wide settings (written to the store's config.json); returns the new config. */
  setConfig: request('lockstep/setConfig', SetConfigParams, CoordinatorConfig, { ttlSeconds: 900 }),
  /** A one-line summary for a status bar. */
  getStatusText: request('lockstep/getStatusText', NoParams, StatusTextResult, {}),
} as const;
export type CoordinatorRequests = typeof coordinatorRequests;
export type CoordinatorRequestName = keyof CoordinatorRequests;
export type RequestParams<K extends CoordinatorRequestName> = z.infer<CoordinatorRequests[K]['params']>;
export type RequestResult<K extends CoordinatorRequestName> = z.infer<CoordinatorRequests[K]['result']>;

/** Server → client: the full state (after `initialized`, and whenever the server resynchronises). */
export const snapshotNotification = new NotificationType<Snapshot>('lockstep/snapshot');
/** Server → client: what changed since the previous revision. */
export const stateChangedNotification = new NotificationType<StateDelta>('lockstep/stateChanged');
/** Client → server: options that may change while running (e.g. the diagnostics setting). */
export const clientOptionsNotification = new NotificationType<ClientOptions>('lockstep/clientOptions');

/** One line naming the first bad field, for ResponseErrors and logs. */
export function describeZodError(method: string, error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return `${method}: invalid params`;
  const where = issue.path.length > 0 ? issue.path.join('.') : 'params';
  return `${method}: ${where}: ${issue.message}`;
}
