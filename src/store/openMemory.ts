// The shared memory of a repository's store, configured from its config.json, with the lease
// table's live sessions as the recipients of `all` and of a task's messages.
import type { LeaseStore } from './leaseStore';
import { EmbeddedMemory } from './embeddedMemory';

export function openMemory(store: LeaseStore, opts: { lockTimeoutMs?: number } = {}): EmbeddedMemory {
  const config = store.config();
  return new EmbeddedMemory(store.paths.memory, {
    liveSessions: () =>
      Object.values(store.read().sessions)
        .filter((s) => s.endedAt === undefined)
        .map((s) => ({ id: s.id, task: s.task })),
    mailboxSize: config.mailboxSize,
    deliveryBytes: config.deliveryBytes,
    lockTimeoutMs: opts.lockTimeoutMs,
  });
}
