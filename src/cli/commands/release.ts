// `lockstep release <path...>|--all --session <id> [--token t] [--force]`: give leases back, all or none.
import type { Command } from 'commander';
import type { Lease } from '../../core/model';
import { action, CliError, EXIT_DENIED, openContext, parseSessionId, printJson, resolveKeys } from '../commandContext';

interface ReleaseOptions {
  session?: string;
  token?: string;
  all?: boolean;
  force?: boolean;
  json?: boolean;
}

export function registerReleaseCommand(program: Command): void {
  program
    .command('release')
    .description("release leases: the session's own (--session), by owner token (--token), or anyone's (--force)")
    .argument('[path...]', 'files to release')
    .option('--session <agent:id>', 'session id, as given to lockstep claim (e.g. human:alice)')
    .option('--all', "release every lease of the session")
    .option('--token <ownerToken>', 'release the lease held with this owner token')
    .option('--force', "release even if another session holds it (a person overriding a lock)")
    .option('--json', 'print JSON')
    .addHelpText('after', '\nAll or none: if any lease cannot be released, nothing is. Exit status: 0 released, 3 refused, 1 error.\n\nExamples:\n  lockstep release src/api.ts --session human:alice\n  lockstep release --all --session human:alice')
    .action(
      action((paths: string[], opts: ReleaseOptions) => {
        if (opts.all && paths.length > 0) throw new CliError('give either paths or --all, not both');
        if (!opts.all && paths.length === 0) throw new CliError('name the files to release, or --all');
        if (opts.all && (opts.token || opts.force)) throw new CliError('--all releases by --session only');
        if (opts.token && opts.force) throw new CliError('give either --token or --force, not both');
        const session = opts.token && !opts.session ? undefined : parseSessionId(opts.session);
        const ctx = openContext();
        const keys = opts.all ? [] : resolveKeys(ctx, paths);
        const released: Lease[] = ctx.store.transact((table) => {
          if (opts.all) return table.releaseAllOf(session!.id);
          const out: Lease[] = [];
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
