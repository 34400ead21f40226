// `lockstep config`: show or change the store settings hooks read (config.json in the store folder).
import type { Command } from 'commander';
import type { StoreConfig } from '../../store/storeConfig';
import { action, CliError, openContext, parseTtlSeconds, printJson } from '../commandContext';

interface ConfigOptions {
  ttl?: string;
  failOpen?: string;
  scopePolicy?: string;
  agentsEditLockstep?: string;
  mailboxSize?: string;
  deliveryBytes?: string;
  subagentsPerSession?: string;
  subagentsPerRepository?: string;
  json?: boolean;
}

/** The whole-number settings: option name, config key, range. */
const NUMBERS = [
  ['mailboxSize', '--mailbox-size', 1, 10_000],
  ['deliveryBytes', '--delivery-bytes', 500, 100_000],
  ['subagentsPerSession', '--subagents-per-session', 0, 10_000],
  ['subagentsPerRepository', '--subagents-per-repository', 0, 100_000],
] as const;

export function registerConfigCommand(program: Command): void {
  program
    .command('config')
    .description('show or change the lease settings of this repository (read by every hook call)')
    .option('--ttl <seconds>', 'default lease time to live')
    .option('--fail-open <on|off>', 'allow edits (with a warning) when Lockstep itself fails')
    .option('--scope-policy <deny|warn|off>', 'edits outside the own task scope')
    .option('--agents-edit-lockstep <on|off>', "let agents' hooks allow edits to .lockstep/ (the plan, whose commands run unsandboxed); default off")
    .option('--mailbox-size <n>', 'undelivered messages a mailbox holds before senders are refused (default 20)')
    .option('--delivery-bytes <n>', 'bytes of notes and messages one hook answer carries (default 4000)')
    .option('--subagents-per-session <n>', 'sub-agents one session may run at once (default 8)')
    .option('--subagents-per-repository <n>', 'sub-agents all sessions may run at once (default 32)')
    .option('--json', 'print JSON')
    .action(
      action((opts: ConfigOptions) => {
        const ctx = openContext();
        const next: StoreConfig = { ...ctx.store.config() };
        let changed = false;
        if (opts.ttl !== undefined) {
          next.ttlSeconds = parseTtlSeconds(opts.ttl);
          changed = true;
        }
        if (opts.failOpen !== undefined) {
          if (opts.failOpen !== 'on' && opts.failOpen !== 'off') throw new CliError(`--fail-open '${opts.failOpen}': expected on or off`);
          next.failOpen = opts.failOpen === 'on';
          changed = true;
        }
        if (opts.scopePolicy !== undefined) {
          if (!['deny', 'warn', 'off'].includes(opts.scopePolicy)) throw new CliError(`--scope-policy '${opts.scopePolicy}': expected deny, warn or off`);
          next.scopePolicy = opts.scopePolicy as StoreConfig['scopePolicy'];
          changed = true;
        }
        if (opts.agentsEditLockstep !== undefined) {
          if (opts.agentsEditLockstep !== 'on' && opts.agentsEditLockstep !== 'off') throw new CliError(`--agents-edit-lockstep '${opts.agentsEditLockstep}': expected on or off`);
          next.agentsEditLockstep = opts.agentsEditLockstep === 'on';
          changed = true;
        }
        for (const [key, flag, min, max] of NUMBERS) {
          const raw = opts[key];
          if (raw === undefined) continue;
          const n = Number(raw);
          if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${flag} '${raw}': expected a whole number from ${min} to ${max}`);
          next[key] = n;
          changed = true;
        }
        if (changed) ctx.store.setConfig(next);
        if (opts.json) printJson({ ok: true, changed, config: next });
        else process.stdout.write(`${JSON.stringify(next)}${changed ? '  (saved)' : ''}\n`);
      }),
    );
}
