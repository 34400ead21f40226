// `lockstep journal [--follow]`: the store's append-only log of grants, denials, releases, expiries.
import type { Command } from 'commander';
import type { JournalEntry } from '../../core/model';
import { action, openContext } from '../commandContext';

export function formatJournalEntry(e: JournalEntry): string {
  const parts = [new Date(e.at).toISOString(), e.op.padEnd(13)];
  if (e.key) parts.push(e.key);
  if (e.session) parts.push(`session ${e.session}`);
  if (e.fence !== undefined) parts.push(`fence ${e.fence}`);
  if (e.holder) parts.push(`holder ${e.holder}`);
  if (e.reason) parts.push(`(${e.reason})`);
  return parts.join('  ');
}

export function registerJournalCommand(program: Command): void {
  program
    .command('journal')
    .description('print the journal of lease operations')
    .option('--json', 'print one JSON entry per line')
    .option('--follow', 'keep printing new entries until interrupted')
    .option('--limit <n>', 'print only the last n entries first')
    .action(
      action(async (opts: { json?: boolean; follow?: boolean; limit?: string }) => {
        const ctx = openContext();
        const print = (entries: JournalEntry[]) => {
          if (entries.length === 0) return;
          process.stdout.write(entries.map((e) => (opts.json ? JSON.stringify(e) : formatJournalEntry(e))).join('\n') + '\n');
        };
        let r = ctx.store.readJournal(0);
        const limit = opts.limit !== undefined ? Number(opts.limit) : undefined;
        if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new Error(`--limit '${opts.limit}': expected a whole number`);
        print(limit !== undefined ? r.entries.slice(-limit) : r.entries);
        if (!opts.follow) return;
        let offset = r.nextOffset;
        await new Promise<void>((resolve) => {
          const timer = setInterval(() => {
            r = ctx.store.readJournal(offset);
            offset = r.nextOffset;
            print(r.entries);
          }, 200);
          const stop = () => {
            clearInterval(timer);
            resolve();
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      }),
    );
}
