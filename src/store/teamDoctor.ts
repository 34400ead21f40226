// `lockstep doctor` in team mode: the Redis server holding the lease table, decision log and
// mailboxes. Checks that it answers (and how fast), its version, whether it keeps data across a
// restart (with AOF and RDB both off a restart loses every lease, note and message and restarts the
// fence counter, so fences could repeat), and how far
// its clock is from this machine's (TTLs run on the server's clock; a large skew makes the expiry
// times shown here wrong, not the leases). Warnings keep the store healthy; failures do not.
import { chooseStore, choiceName } from './teamStore';
import { RedisStore } from './redisStore';

export interface TeamCheck {
  name: 'team store' | 'redis version' | 'persistence' | 'clock skew';
  ok: boolean;
  /** Healthy, but worth acting on. */
  warning?: boolean;
  detail: string;
}

export interface TeamReport {
  /** `redis://host:port (team key)`, password hidden. */
  store: string;
  healthy: boolean;
  checks: TeamCheck[];
}

/** Redis before 5 lacks what the scripts rely on being replicated as effects. */
const MIN_MAJOR = 5;
/** Clock skew beyond which doctor warns. */
export const SKEW_WARN_MS = 1000;

/** undefined when the repository uses the embedded store. */
export function teamStoreReport(commonDir: string, env: NodeJS.ProcessEnv = process.env): TeamReport | undefined {
  let choice;
  try {
    choice = chooseStore(commonDir, env);
  } catch (e) {
    return { store: '(not opened)', healthy: false, checks: [{ name: 'team store', ok: false, detail: (e as Error).message }] };
  }
  if (choice.kind === 'embedded') return undefined;
  const store = new RedisStore(commonDir, choice.url, choice.teamKey);
  const checks = checkTeamStore(store);
  return { store: choiceName(choice), healthy: checks.every((c) => c.ok), checks };
}

export function checkTeamStore(store: RedisStore, localNow: () => number = Date.now): TeamCheck[] {
  const checks: TeamCheck[] = [];
  let server: number;
  let t0: number;
  let t1: number;
  try {
    store.serverTime(); // the first call starts the client; time the second
    t0 = localNow();
    server = store.serverTime();
    t1 = localNow();
  } catch (e) {
    checks.push({ name: 'team store', ok: false, detail: oneLine(e) });
    return checks;
  }
  const versionFields = info(store, 'server');
  const mode = versionFields.get('redis_mode') ? ` (${versionFields.get('redis_mode')})` : '';
  checks.push({ name: 'team store', ok: true, detail: `${store.describe()} answered in ${t1 - t0} ms${mode}; it holds the team's lease table, decision log and mailboxes` });

  const version = versionFields.get('valkey_version') ? `Valkey ${versionFields.get('valkey_version')}` : versionFields.get('redis_version') ? `Redis ${versionFields.get('redis_version')}` : undefined;
  const major = Number((versionFields.get('redis_version') ?? '').split('.')[0]);
  if (!version) checks.push({ name: 'redis version', ok: true, warning: true, detail: 'the server does not say its version (INFO server refused)' });
  else if (major < MIN_MAJOR) checks.push({ name: 'redis version', ok: false, detail: `${version}: Lockstep needs Redis ${MIN_MAJOR} or later` });
  else checks.push({ name: 'redis version', ok: true, detail: version });

  checks.push(persistence(store));

  const skew = Math.round(server - (t0 + t1) / 2);
  const within = Math.ceil((t1 - t0) / 2);
  const side = skew >= 0 ? 'ahead of' : 'behind';
  const detail = `server clock ${Math.abs(skew)} ms ${side} this machine's (±${within} ms); leases expire by the server's clock`;
  checks.push(Math.abs(skew) - within > SKEW_WARN_MS ? { name: 'clock skew', ok: true, warning: true, detail: `${detail}: expiry times shown here are off by that much; sync this machine's clock (NTP)` } : { name: 'clock skew', ok: true, detail });
  return checks;
}

function persistence(store: RedisStore): TeamCheck {
  let aof: boolean | undefined;
  let save: string | undefined;
  let refused: string | undefined;
  try {
    aof = store.serverConfig('appendonly') === 'yes';
    save = store.serverConfig('save') ?? '';
  } catch (e) {
    refused = oneLine(e);
  }
  if (refused !== undefined) {
    // Managed services often refuse CONFIG: INFO persistence still says whether AOF is on.
    const p = info(store, 'persistence');
    aof = p.get('aof_enabled') === '1';
    if (aof) return { name: 'persistence', ok: true, detail: 'AOF on' };
    return { name: 'persistence', ok: true, warning: true, detail: `AOF off, RDB snapshots unknown (CONFIG GET refused); make sure the server keeps its data across a restart` };
  }
  const rdb = save !== undefined && save.trim() !== '';
  if (aof || rdb) return { name: 'persistence', ok: true, detail: [aof ? 'AOF on' : 'AOF off', rdb ? `RDB snapshots (save ${save})` : 'RDB snapshots off'].join(', ') };
  return {
    name: 'persistence',
    ok: true,
    warning: true,
    detail: 'AOF and RDB snapshots are both off: a Redis restart loses every lease, note and message and restarts the fence counter (fences could repeat); turn on appendonly yes',
  };
}

function info(store: RedisStore, section: string): Map<string, string> {
  try {
    return store.serverInfo(section);
  } catch {
    return new Map();
  }
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}
