// `lockstep config`: show or change the store settings hooks read (config.json in the store folder).
import type { Command } from 'commander';
import type { StoreConfig } from '../../store/storeConfig';
import { chooseStore, choiceName } from '../../store/teamStore';
import { displayUrl, parseStoreSetting, type StoreSetting } from '../../core/storeUrl';
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
  store?: string;
  teamKey?: string;
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
    .option('--store <url|embedded>', 'team mode: a redis:// or rediss:// URL holding the lease table for every clone; embedded (default): this repository\'s store folder')
    .option('--team-key <name|auto>', "team mode: the repository's name in the team store (auto: from the origin remote's URL)")
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
        if (opts.store !== undefined) {
          let setting: StoreSetting;
          try {
            setting = parseStoreSetting(opts.store, `--store '${displayUrl(opts.store.trim())}'`);
          } catch (e) {
            throw new CliError((e as Error).message);
          }
          if (setting.kind === 'embedded') delete next.store;
          else next.store = setting.url;
          changed = true;
        }
        if (opts.teamKey !== undefined) {
          const key = opts.teamKey.trim();
          if (key === '' || key.length > 300) throw new CliError(`--team-key '${key}': expected a name of 1 to 300 characters, or auto`);
          if (key === 'auto') delete next.teamKey;
          else next.teamKey = key;
          changed = true;
        }
        // The store every hook and coordinator would now open (LOCKSTEP_STORE aside): a team store needs a team key.
        let store: string;
        try {
          store = choiceName(chooseStore(ctx.location.commonDir, {}, next));
        } catch (e) {
          throw new CliError((e as Error).message);
        }
        if (changed) ctx.store.setConfig(next);
        const overridden = process.env.LOCKSTEP_STORE?.trim() ? `LOCKSTEP_STORE=${displayUrl(process.env.LOCKSTEP_STORE.trim())} overrides it in this shell` : undefined;
        if (opts.json) printJson({ ok: true, changed, config: { ...next, ...(next.store ? { store: displayUrl(next.store) } : {}) }, store, ...(overridden ? { note: overridden } : {}) });
        else {
          const shown = next.store ? { ...next, store: displayUrl(next.store) } : next;
          process.stdout.write(`${JSON.stringify(shown)}${changed ? '  (saved)' : ''}\nstore: ${store}${overridden ? ` (${overridden})` : ''}\n`);
        }
      }),
    );
}
