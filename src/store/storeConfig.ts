// config.json in the store folder: written by the extension and the CLI, read by every hook call.
import * as fs from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from './durableFile';
import { storeUrlProblem } from '../core/storeUrl';

export const StoreConfig = z
  .object({
    ttlSeconds: z.number().int().positive().max(7 * 24 * 3600).optional(),
    /** When Lockstep itself fails, allow edits (with a warning) instead of denying them. */
    failOpen: z.boolean().optional(),
    scopePolicy: z.enum(['deny', 'warn', 'off']).optional(),
    /** Agents may edit `.lockstep/**` (the plan, whose commands run unsandboxed). Default: denied. */
    agentsEditLockstep: z.boolean().optional(),
    /** Undelivered messages a session's (or task's) mailbox holds before senders are refused (default 20). */
    mailboxSize: z.number().int().positive().max(10_000).optional(),
    /** Bytes of notes and messages one hook answer carries at most (default 4000); the rest waits. */
    deliveryBytes: z.number().int().min(500).max(100_000).optional(),
    /** Sub-agents one session may run at once (default 8), and all sessions of the repository (default 32). */
    subagentsPerSession: z.number().int().min(0).max(10_000).optional(),
    subagentsPerRepository: z.number().int().min(0).max(100_000).optional(),
    /** Team mode: a redis:// or rediss:// URL holding the lease table instead of this folder (teamStore.ts). */
    store: z
      .string()
      .superRefine((v, ctx) => {
        const problem = v === 'embedded' ? 'the embedded store is named by leaving store out' : storeUrlProblem(v);
        if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
      })
      .optional(),
    /** Team mode: the repository's name in the team store (default: from the origin remote's URL). */
    teamKey: z.string().min(1).max(300).optional(),
  })
  .strict();
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
