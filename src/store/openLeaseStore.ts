// The store of a repository as configured (teamStore.ts): the embedded store, or the team store on
// Redis. Never the embedded store when Redis is configured but failing: callers see the failure.
import { openEmbeddedStore, type EmbeddedStoreOptions } from './embeddedStore';
import type { LeaseStore } from './leaseStore';
import { chooseStore } from './teamStore';

export function openLeaseStore(commonDir: string, opts: EmbeddedStoreOptions = {}, env: NodeJS.ProcessEnv = process.env): LeaseStore {
  const choice = chooseStore(commonDir, env);
  const embedded = openEmbeddedStore(commonDir, opts); // its folder keeps config.json, logs and mailboxes in team mode too
  if (choice.kind === 'embedded') return embedded;
  // Team mode only: the Redis store (and its worker bridge) is not evaluated by the embedded store's hooks.
  const { RedisStore } = require('./redisStore') as typeof import('./redisStore');
  return new RedisStore(commonDir, choice.url, choice.teamKey, { lockTimeoutMs: opts.lockTimeoutMs, processVerdict: opts.processVerdict });
}
