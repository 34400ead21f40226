// `lockstep renew <path> --token <t>`: extend a lease held with this owner token.
import type { Command } from 'commander';
import { action, CliError, EXIT_DENIED, formatDuration, openContext, parseTtlSeconds, printJson, resolveKeys } from '../commandContext';

export function registerRenewCommand(program: Command): void {
  program
    .command('renew')
    .description('extend a lease; refused unless the owner token is the current holder\'s')
    .argument('<path>', 'the leased file')
    .requiredOption('--token <ownerToken>', 'owner token printed by `lockstep claim`')
    .option('--ttl <seconds>', 'new time to live from now (default: the store setting)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit status: 0 renewed, 3 refused (expired or someone else\'s), 1 error.')
    .action(
      action((p: string, opts: { token: string; ttl?: string; json?: boolean }) => {
        const ttlSeconds = parseTtlSeconds(opts.ttl);
        const ctx = openContext();
        const [key] = resolveKeys(ctx, [p]);
        const lease = ctx.store.transact((table) => {
          const current = table.state.leases[key!];
          // Checked before renewing so a refusal changes nothing.
          if (!current || current.ownerToken !== opts.token) {
            throw new CliError(`${key}: not held with this owner token (the lease expired or belongs to someone else)`, EXIT_DENIED);
          }
          const r = table.renew(key!, opts.token, ttlSeconds !== undefined ? ttlSeconds * 1000 : undefined);
          if (!r.ok) throw new CliError(r.reason, EXIT_DENIED);
          return r.lease;
        });
        if (opts.json) printJson({ ok: true, key: lease.key, fence: lease.fence, expiresAt: lease.expiresAt });
        else process.stdout.write(`renewed ${lease.key}  fence ${lease.fence}  expires in ${formatDuration(lease.expiresAt - Date.now())}\n`);
      }),
    );
}
