// `lockstep claim <path...> --session <id>`: take leases on files, all or none.
import type { Command } from 'commander';
import { describeDenial } from '../../core/denialMessage';
import { tellHolders } from '../hookDelivery';
import { identifyAgentProcess } from '../../agents/agentProcess';
import { action, CliError, EXIT_DENIED, formatDuration, openContext, parseSessionId, parseTtlSeconds, printJson, resolveKeys } from '../commandContext';

interface ClaimOptions {
  session?: string;
  ttl?: string;
  task?: string;
  json?: boolean;
}

export function registerClaimCommand(program: Command): void {
  program
    .command('claim')
    .description('lease files for a session (all or none); prints the owner token and fencing token')
    .argument('<path...>', 'files to lease (relative to the current folder, or absolute inside a worktree)')
    .option('--session <agent:id>', "session id: the agent's name and its own session id (claude:3f2a…), or human:<name> for a person")
    .option('--ttl <seconds>', 'lease time to live (default: the store setting, 15 min)')
    .option('--task <id>', 'task the leases are for')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit status: 0 granted, 3 denied (nothing leased; the holder is named), 1 error.\n\nExamples:\n  lockstep claim src/api.ts --session human:alice --ttl 600')
    .action(
      action((paths: string[], opts: ClaimOptions) => {
        const session = parseSessionId(opts.session);
        const ttlSeconds = parseTtlSeconds(opts.ttl);
        const ctx = openContext();
        const keys = resolveKeys(ctx, paths);
        const now = Date.now();
        const caller = identifyAgentProcess();
        const out = ctx.store.transactUnlessDenied((table) => {
          // An agent's session (recorded agent process) is claimed into only by that agent.
          const refused = table.impostorReason(session.id, caller);
          if (refused) return { ok: 'refused' as const, reason: refused };
          table.touchSession({ id: session.id, agent: session.agent, cwd: ctx.cwd, worktree: ctx.location.worktreeRoot, task: opts.task, source: 'cli' });
          return table.acquire(session.id, keys, { ttlMs: ttlSeconds !== undefined ? ttlSeconds * 1000 : undefined, task: opts.task });
        });
        if (out.ok === 'refused') throw new CliError(`${out.reason}; claim under your own session`, EXIT_DENIED);
        if (!out.ok) {
          tellHolders(ctx.store, { id: session.id, task: opts.task }, out.denials);
          const denials = out.denials.map((d) => ({
            key: d.key,
            reason: d.reason.kind,
            holder: d.reason.kind === 'held' ? d.reason.lease.session : undefined,
            expiresAt: d.reason.kind === 'held' ? d.reason.lease.expiresAt : undefined,
            message: describeDenial(d, now),
          }));
          throw new CliError(denials.map((d) => d.message).join(' '), EXIT_DENIED, { granted: false, denials });
        }
        if (opts.json) {
          printJson({
            ok: true,
            granted: true,
            session: session.id,
            leases: out.leases.map((l) => ({ key: l.key, fence: l.fence, ownerToken: l.ownerToken, expiresAt: l.expiresAt, renewed: out.renewed.includes(l.key) })),
            warnings: out.warnings,
          });
          return;
        }
        for (const l of out.leases) {
          const verb = out.renewed.includes(l.key) ? 'renewed' : 'granted';
          process.stdout.write(`${verb} ${l.key}  fence ${l.fence}  token ${l.ownerToken}  expires in ${formatDuration(l.expiresAt - now)}\n`);
        }
        for (const w of out.warnings) process.stderr.write(`lockstep: warning: ${w}\n`);
      }),
    );
}
