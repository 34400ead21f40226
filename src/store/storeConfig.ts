// config.json in the store folder: written by the extension and the CLI, read by every hook call.
import * as fs from 'node:fs';
import * as z from '../core/zod';
import { writeFileAtomic } from './durableFile';
import { storeUrlProblem } from '../core/storeUrl';

export const StoreConfig = z.strictObject({
  ttlSeconds: z.optional(z.int().check(z.positive(), z.maximum(7 * 24 * 3600))),
  /** When Lockstep itself fails, allow edits (with a warning) instead of denying them. */
  failOpen: z.optional(z.boolean()),
  scopePolicy: z.optional(z.enum(['deny', 'warn', 'off'])),
  /** Agents may edit `.lockstep/**` (the plan, whose commands run unsandboxed). Default: denied. */
  agentsEditLockstep: z.optional(z.boolean()),
  /** Undelivered messages a session's (or task's) mailbox holds before senders are refused (default 20). */
  mailboxSize: z.optional(z.int().check(z.positive(), z.maximum(10_000))),
  /** Bytes of notes and messages one hook answer carries at most (default 4000); the rest waits. */
  deliveryBytes: z.optional(z.int().check(z.minimum(500), z.maximum(100_000))),
  /** Sub-agents one session may run at once (default 8), and all sessions of the repository (default 32). */
  subagentsPerSession: z.optional(z.int().check(z.minimum(0), z.maximum(10_000))),
  subagentsPerRepository: z.optional(z.int().check(z.minimum(0), z.maximum(100_000))),
  /** Team mode: a redis:// or rediss:// URL holding the lease table instead of this folder (teamStore.ts). */
  store: z.optional(
    z.string().check(
      z.superRefine((v, ctx) => {
        const problem = v === 'embedded' ? 'the embedded store is named by leaving store out' : storeUrlProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    ),
  ),
  /** Team mode: the repository's name in the team store (default: from the origin remote's URL). */
  teamKey: z.optional(z.string().check(z.minLength(1), z.maxLength(300))),
});
export type StoreConfig = z.infer<typeof StoreConfig>;

export function readStoreConfig(file: string): StoreConfig {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`${file}: not valid JSON`);
  }
  const r = StoreConfig.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}

export function writeStoreConfig(file: string, config: StoreConfig): void {
  writeFileAtomic(file, JSON.stringify(StoreConfig.parse(config), null, 2) + '\n');
}
