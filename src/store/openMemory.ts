// The shared memory of a repository's store, configured from its config.json, with the lease
// table's live sessions as the recipients of `all` and of a task's messages: beside the embedded
// store's files, or in team mode on the team store's Redis (shared by every clone on every machine).
import { EmbeddedMemory } from './embeddedMemory';
import { EmbeddedStore } from './embeddedStore';
import type { LeaseStore } from './leaseStore';
import type { MemoryStore } from './memoryStore';

export function openMemory(store: LeaseStore, opts: { lockTimeoutMs?: number } = {}): MemoryStore {
  const config = store.config();
  const common = {
    liveSessions: () =>
      Object.values(store.read().sessions)
        .filter((s) => s.endedAt === undefined)
        .map((s) => ({ id: s.id, task: s.task })),
    mailboxSize: config.mailboxSize,
    deliveryBytes: config.deliveryBytes,
    lockTimeoutMs: opts.lockTimeoutMs,
  };
  if (store instanceof EmbeddedStore) return new EmbeddedMemory(store.paths.memory, common);
  // Team mode only: loaded by the hooks of a repository whose store is Redis.
  const { RedisStore } = require('./redisStore') as typeof import('./redisStore');
  const { RedisMemory } = require('./redisMemory') as typeof import('./redisMemory');
  if (!(store instanceof RedisStore)) throw new Error('openMemory: a store that is neither embedded nor Redis');
  return new RedisMemory(store.url, store.teamKey, { ...common, wakeDir: store.paths.memory.wake });
}
