// `lockstep mcp`: Lockstep's leases, decision log, mailboxes, conflict matrix and scheduler as MCP
// tools over stdio, for agents that speak MCP (a lead agent fans out through task_add/task_start
// instead of spawning blind). Works in any repository, VS Code or not. The session a call acts for:
// its `session` argument, else LOCKSTEP_SESSION (set for the agents the scheduler starts). Naming a
// session is not owning it: the server runs as its agent's child, so leases are claimed into and
// released from a session only by that session's own agent process (as in the hook and the CLI).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from '../core/zodClassic';
import { describeDenial } from '../core/denialMessage';
import { isHumanSession } from '../core/leaseNotice';
import type { LeaseTable } from '../core/leaseTable';
import type { ProcessIdentity } from '../core/model';
import { identifyAgentProcess } from '../agents/agentProcess';
import { tellHolders } from './hookDelivery';
import { isOwnSession, peekNotice } from './inboxOwner';
import { parseTarget } from '../core/memory';
import { AgentName } from '../core/model';
import { MailboxFullError } from '../store/memoryStore';
import { openMemory } from '../store/openMemory';
import { SchedulerError } from '../scheduler/scheduler';
import { openContext, parseSessionId, resolveKeys, type CommandContext } from './commandContext';
import { computeMatrix } from './commands/matrix';
import { addPlanTask, describeAnswer, startOrQueue } from './taskFanOut';
import { openScheduler } from './commands/task';
import { decideHookThroughTool, HOOK_DECIDE_DESCRIPTION, HOOK_DECIDE_TOOL, hookDecideInput } from './hookDecideTool';

export interface McpOptions {
  /** The repository folder (default: the process's cwd). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

type ToolResult = { content: Array<{ type: 'text'; text: string }>; structuredContent?: Record<string, unknown>; isError?: boolean };

function ok(value: Record<string, unknown>, summary?: string): ToolResult {
  const structuredContent = { ok: true, ...value };
  return { content: [{ type: 'text', text: summary ?? JSON.stringify(structuredContent) }], structuredContent };
}

function fail(message: string, details: Record<string, unknown> = {}): ToolResult {
  return { content: [{ type: 'text', text: message }], structuredContent: { ok: false, error: message, ...details }, isError: true };
}

/** Runs a tool body: any error becomes a one-line tool error (never a crashed server). */
async function guarded(fn: () => ToolResult | Promise<ToolResult>): Promise<ToolResult> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof SchedulerError) return fail(e.message, { ...e.details });
    return fail(((e as Error).message ?? String(e)).split('\n')[0]!);
  }
}

const session = z.string().optional().describe('the session this call acts for, <agent>:<id> (default: LOCKSTEP_SESSION)');

export function buildMcpServer(opts: McpOptions = {}): McpServer {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const server = new McpServer({ name: 'lockstep', version: '0.1.0' });
  const context = (): CommandContext => openContext(cwd);
  const who = (arg: string | undefined): { id: string; agent: AgentName } => {
    const id = arg ?? env.LOCKSTEP_SESSION;
    if (!id) throw new Error('no session: pass `session` (<agent>:<id>) or run with LOCKSTEP_SESSION set');
    return parseSessionId(id, arg ? 'session' : 'LOCKSTEP_SESSION');
  };
  const taskOf = (arg: string | undefined) => arg ?? (env.LOCKSTEP_TASK || undefined);
  /** The lead of a fan-out call (told when the task's phase is done): its session, if it has one. */
  const leadOf = (arg: string | undefined): string | undefined => ((arg ?? env.LOCKSTEP_SESSION) ? who(arg).id : undefined);
  // The agent this server answers (its parent, or LOCKSTEP_AGENT_PID), found once: it does not change.
  let caller: ProcessIdentity | undefined | null = null;
  const agentProcess = (): ProcessIdentity | undefined => (caller === null ? (caller = identifyAgentProcess({ env })) : caller);
  /** Why this server may not claim into or release from session `id`, or undefined when it may. */
  const notOwner = (table: LeaseTable, id: string): string | undefined => {
    if (isHumanSession(id)) return `${id} is a person's session, and the lockstep MCP server answers an agent: a person claims and releases from their own terminal; act under your own session`;
    const live = table.liveSession(id);
    if (!live) return undefined;
    if (live.process) {
      const refused = table.impostorReason(id, agentProcess());
      return refused ? `${refused}; act under your own session` : undefined;
    }
    if (id === env.LOCKSTEP_SESSION) return undefined;
    return `session ${id} has no agent process to prove it is yours; act under your own session (LOCKSTEP_SESSION), or release with the lease's owner token: lockstep release --token <ownerToken>`;
  };

  server.registerTool(
    'claim',
    { description: 'Lease files before editing them (all or none). Denied when another live session holds one: the holder and how long are named.', inputSchema: { paths: z.array(z.string().min(1)).min(1), session, task: z.string().optional(), ttlSeconds: z.number().int().positive().max(604800).optional() } },
    (a) =>
      guarded(() => {
        const s = who(a.session);
        const ctx = context();
        const keys = resolveKeys(ctx, a.paths);
        const now = Date.now();
        const out = ctx.store.transactUnlessDenied((table) => {
          const refused = notOwner(table, s.id);
          if (refused) return { ok: 'refused' as const, reason: refused };
          table.touchSession({ id: s.id, agent: s.agent, cwd: ctx.cwd, worktree: ctx.location.worktreeRoot, task: taskOf(a.task), source: 'cli', process: agentProcess() });
          return table.acquire(s.id, keys, { ttlMs: a.ttlSeconds !== undefined ? a.ttlSeconds * 1000 : undefined, task: taskOf(a.task) });
        });
        if (out.ok === 'refused') return fail(`${out.reason}; nothing claimed`, { granted: false });
        if (!out.ok) {
          // The holder hears who waits for which file, as with a denial in a hook.
          tellHolders(ctx.store, { id: s.id, task: taskOf(a.task) }, out.denials);
          const denials = out.denials.map((d) => ({ key: d.key, reason: d.reason.kind, holder: d.reason.kind === 'held' ? d.reason.lease.session : undefined, message: describeDenial(d, now) }));
          return fail(denials.map((d) => d.message).join(' '), { granted: false, denials });
        }
        return ok({ granted: true, session: s.id, leases: out.leases.map((l) => ({ key: l.key, fence: l.fence, ownerToken: l.ownerToken, expiresAt: l.expiresAt })), warnings: out.warnings });
      }),
  );

  server.registerTool(
    'release',
    { description: "Release the session's leases on these files, or all of them.", inputSchema: { paths: z.array(z.string().min(1)).optional(), all: z.boolean().optional(), session } },
    (a) =>
      guarded(() => {
        const s = who(a.session);
        if (!a.all && !a.paths?.length) return fail('name the files to release (paths), or set all');
        const ctx = context();
        const keys = a.all ? [] : resolveKeys(ctx, a.paths!);
        const released = ctx.store.transact((table) => {
          const refused = notOwner(table, s.id);
          if (refused) throw new Error(`${refused}; nothing released`);
          if (a.all) return table.releaseAllOf(s.id);
          for (const key of keys) {
            const lease = table.state.leases[key];
            if (!lease || lease.session !== s.id) throw new Error(`${key}: not held by ${s.id}${lease ? ` (held by ${lease.session})` : ''}; nothing released`);
          }
          return table.releaseBySession(s.id, keys).released;
        });
        return ok({ released: released.map((l) => ({ key: l.key, fence: l.fence })) });
      }),
  );

  server.registerTool('status', { description: 'The live sessions (agent, task, worktree) and every lease (file, holder, expiry).', inputSchema: {} }, () =>
    guarded(() => {
      const state = context().store.read();
      const sessions = Object.values(state.sessions).filter((s) => s.endedAt === undefined).map((s) => ({ id: s.id, agent: s.agent, task: s.task, worktree: s.worktree, lastSeen: s.lastSeen }));
      const leases = Object.values(state.leases).map((l) => ({ key: l.key, session: l.session, task: l.task, fence: l.fence, expiresAt: l.expiresAt }));
      return ok({ sessions, leases });
    }),
  );

  server.registerTool(
    'note',
    { description: "Record a decision in the repository's decision log; every other session's agent sees it with its next event.", inputSchema: { text: z.string().min(1), task: z.string().optional(), session } },
    (a) => guarded(() => ok({ note: openMemory(context().store).note({ by: who(a.session).id, task: taskOf(a.task), text: a.text }) })),
  );

  server.registerTool(
    'log',
    { description: 'Read the decision log, oldest first.', inputSchema: { since: z.number().int().nonnegative().optional(), task: z.string().optional(), limit: z.number().int().positive().max(1000).optional() } },
    (a) => guarded(() => ok({ notes: openMemory(context().store).notes({ since: a.since, task: a.task, limit: a.limit ?? 100 }) })),
  );

  server.registerTool(
    'send',
    { description: "Send a message to a task's agent (task id), one session (<agent>:<id>) or every running session (all). Refused when the mailbox is full.", inputSchema: { to: z.string().min(1), text: z.string().min(1), session } },
    (a) =>
      guarded(() => {
        const target = parseTarget(a.to);
        if (target.kind === 'session') parseSessionId(target.id, 'to');
        try {
          return ok({ ...openMemory(context().store).send({ from: who(a.session).id, to: target, text: a.text }) });
        } catch (e) {
          if (e instanceof MailboxFullError) return fail(e.message, { full: true });
          throw e;
        }
      }),
  );

  server.registerTool(
    'inbox',
    { description: "The session's undelivered messages: marked read (unless peek) only when it is this server's own session; another session's inbox is only peeked at, so its agent still receives them.", inputSchema: { session, task: z.string().optional(), peek: z.boolean().optional() } },
    (a) =>
      guarded(() => {
        const s = who(a.session);
        const ctx = context();
        const own = isOwnSession(s.id, ctx.store.read(), { own: env.LOCKSTEP_SESSION, agentProcess });
        const peek = a.peek === true || !own;
        const messages = openMemory(ctx.store).inbox({ id: s.id, task: taskOf(a.task) }, { consume: !peek });
        if (own) return ok({ session: s.id, peek, messages });
        const notice = peekNotice(s.id, messages.length);
        return ok({ session: s.id, peek, notice, messages }, `${notice}\n${JSON.stringify(messages)}`);
      }),
  );

  server.registerTool(
    'matrix',
    { description: 'The conflict matrix: planned (scopes), live (files touched) and merge (git merge-tree) overlaps between every pair of tasks and sessions.', inputSchema: { planned: z.boolean().optional() } },
    (a) =>
      guarded(async () => {
        const { state, details } = await computeMatrix(cwd, a.planned === true);
        return ok({ participants: state.participants, cells: state.cells, pairs: details });
      }),
  );

  server.registerTool('task_list', { description: "The plan's tasks: status, why each waits, branch and worktree.", inputSchema: {} }, () =>
    guarded(async () => {
      const s = await withCwd(cwd, () => openScheduler().list());
      return ok({ ...s });
    }),
  );

  server.registerTool(
    'task_add',
    {
      description: 'Add a task to the plan (.lockstep/plan.yaml). With start, also ask the scheduler to start it: the answer is started (worktree, branch) or queued with the reason.',
      inputSchema: {
        id: z.string(),
        title: z.string(),
        prompt: z.string(),
        agent: z.string().optional(),
        scope: z.array(z.string()).optional(),
        readOnly: z.boolean().optional(),
        phase: z.number().int().positive().optional(),
        dependsOn: z.array(z.string()).optional(),
        start: z.boolean().optional(),
        session,
      },
    },
    (a) =>
      guarded(async () => {
        const { start, session: as, ...spec } = a;
        const lead = leadOf(as);
        const scheduler = withCwd(cwd, () => openScheduler({ detached: true, ...(lead ? { author: lead } : {}) }));
        addPlanTask(scheduler, spec, lead);
        if (!start) return ok({ added: spec.id });
        const answer = await startOrQueue(scheduler, spec.id, lead);
        return ok({ added: spec.id, ...answer }, describeAnswer(spec.id, answer));
      }),
  );

  server.registerTool(
    'task_start',
    { description: 'Ask the scheduler to start a task now. Answers started (worktree, branch) or queued with the reason (the gate decides: scope overlaps, dependencies, the concurrency cap).', inputSchema: { id: z.string(), session } },
    (a) =>
      guarded(async () => {
        const answer = await startOrQueue(withCwd(cwd, () => openScheduler({ detached: true })), a.id, leadOf(a.session));
        return ok({ id: a.id, ...answer }, describeAnswer(a.id, answer));
      }),
  );

  // Served to the agent's mcp_tool hooks: one decision per call, the store read afresh each time.
  server.registerTool(HOOK_DECIDE_TOOL, { description: HOOK_DECIDE_DESCRIPTION, inputSchema: hookDecideInput }, (a) =>
    decideHookThroughTool(a, env, cwd, (line) => process.stderr.write(`${line}\n`)),
  );

  return server;
}

/** openScheduler() reads the cwd: run it with the server's repository as cwd. */
function withCwd<T>(cwd: string, fn: () => T): T {
  const before = process.cwd();
  if (before === cwd) return fn();
  process.chdir(cwd);
  try {
    return fn();
  } finally {
    process.chdir(before);
  }
}
