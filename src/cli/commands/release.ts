// `lockstep release <path...>|--all (--token t | --session <id>) [--force]`: give leases back, all or none.
// Only the owner releases: the owner token of each lease (printed by `claim --json`), or the session's
// own agent process (an agent running this from its shell tool). `--force` is a person overriding a
// lock: refused inside agents, journaled with who forced it.
import type { Command } from 'commander';
import type { LeaseTable } from '../../core/leaseTable';
import { isHumanSession } from '../../core/leaseNotice';
import type { Lease } from '../../core/model';
import { callingAgent } from '../../agents/agentCaller';
import { identifyAgentProcess } from '../../agents/agentProcess';
import { action, CliError, EXIT_DENIED, openContext, parseSessionId, printJson, resolveKeys } from '../commandContext';

interface ReleaseOptions {
  session?: string;
  token?: string;
  all?: boolean;
  force?: boolean;
  json?: boolean;
}

const NEEDS_TOKEN = 'give the owner token of the lease (--token, printed by `lockstep claim --json`)';

/**
 * The session a --session release may act for: only the session's own agent process may, or, for a
 * person's session (`human:<name>`), a call that does not come from inside an agent.
 */
function proveSession(table: LeaseTable, sessionId: string): void {
  if (isHumanSession(sessionId)) {
    const agent = callingAgent();
    if (agent) throw new CliError(`${sessionId} is a person's session and this call comes from an agent (${agent}); ${NEEDS_TOKEN}; nothing released`, EXIT_DENIED);
    return;
  }
  const session = table.liveSession(sessionId);
  if (!session?.process) throw new CliError(`${sessionId} has no agent process to prove it is you; ${NEEDS_TOKEN}; nothing released`, EXIT_DENIED);
  const refused = table.impostorReason(sessionId, identifyAgentProcess());
  if (refused) throw new CliError(`${refused}; ${NEEDS_TOKEN}; nothing released`, EXIT_DENIED);
}

export function registerReleaseCommand(program: Command): void {
  program
    .command('release')
    .description("release leases you own: by owner token (--token), or as the session's own agent (--session); people may --force")
    .argument('[path...]', 'files to release')
    .option('--session <id>', "session id, <agent>:<id>: releases its leases when run by that session's own agent process (human:<you> from your terminal)")
    .option('--all', 'release every lease of the session (of --session, or of the lease held with --token)')
    .option('--token <ownerToken>', 'owner token of the lease (printed by `lockstep claim --json`)')
    .option('--force', 'a person overriding another session\'s lock (with --session human:<you>); refused inside agents, journaled')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nAll or none: if any lease cannot be released, nothing is. Exit status: 0 released, 3 refused, 1 error.\n\nExamples:\n  lockstep release src/api.ts --session human:alice\n  lockstep release --all --session human:alice')
    .action(
      action((paths: string[], opts: ReleaseOptions) => {
        if (opts.all && paths.length > 0) throw new CliError('give either paths or --all, not both');
        if (!opts.all && paths.length === 0) throw new CliError('name the files to release, or --all');
        if (opts.all && opts.force) throw new CliError('--force releases named files only');
        if (opts.token && opts.force) throw new CliError('give either --token or --force, not both');
        if (!opts.token && !opts.session) throw new CliError(`${NEEDS_TOKEN}, or --session when run by that session's agent`);
        const session = opts.session ? parseSessionId(opts.session) : undefined;
        if (opts.force) {
          if (!session || !isHumanSession(session.id)) throw new CliError('--force is for people: give your own session, --session human:<you> (or use VS Code\'s Force Release Lock…)');
          const agent = callingAgent();
          if (agent) throw new CliError(`--force is for people, and this call comes from an agent (${agent}); ask the holder or the user to release it`, EXIT_DENIED);
        }
        const ctx = openContext();
        const keys = opts.all ? [] : resolveKeys(ctx, paths);
        const released: Lease[] = ctx.store.transact((table) => {
          if (opts.all) {
            let owner = session?.id;
            if (opts.token) {
              const held = Object.values(table.state.leases).find((l) => l.ownerToken === opts.token);
              if (!held) throw new CliError('no lease is held with this owner token (it expired or was released); nothing released', EXIT_DENIED);
              if (owner && held.session !== owner) throw new CliError(`this owner token is not ${owner}'s; nothing released`, EXIT_DENIED);
              owner = held.session;
            } else proveSession(table, owner!);
            return table.releaseAllOf(owner!);
          }
          if (!opts.force && !opts.token) proveSession(table, session!.id);
          for (const key of keys) {
            const lease = table.state.leases[key];
            if (opts.force) {
              if (!lease) throw new CliError(`${key}: no lease to release`);
              continue;
            }
            if (opts.token) {
              if (!lease || lease.ownerToken !== opts.token) {
                throw new CliError(`${key}: not held with this owner token (the lease expired or belongs to someone else); nothing released`, EXIT_DENIED);
              }
              continue;
            }
            if (!lease || lease.session !== session!.id) {
              throw new CliError(`${key}: not held by ${session!.id}${lease ? ` (held by ${lease.session})` : ''}; nothing released`, EXIT_DENIED);
            }
          }
          const out: Lease[] = [];
          for (const key of keys) {
            if (opts.force) out.push(table.forceRelease(key, session!.id)!);
            else if (opts.token) {
              const r = table.releaseWithToken(key, opts.token);
              if (r.ok) out.push(r.lease);
            } else out.push(...table.releaseBySession(session!.id, [key]).released);
          }
          return out;
        });
        if (opts.json) {
          printJson({ ok: true, released: released.map((l) => ({ key: l.key, session: l.session, fence: l.fence })) });
          return;
        }
        if (released.length === 0) process.stdout.write('nothing to release\n');
        for (const l of released) process.stdout.write(`released ${l.key}  (${l.session}, fence ${l.fence})\n`);
      }),
    );
}
