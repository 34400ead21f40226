// Which store a setting names: 'embedded' (the store folder, the default) or a Redis server
// (`redis://[user:password@]host[:port][/db]`, `rediss://` for TLS). Checked once here for every
// place a store can be named (lockstep config --store, LOCKSTEP_STORE, config.json, the VS Code
// setting lockstep.store), so a bad value is refused with the same one-line reason everywhere.
// No dependencies: the extension host and the hook both load it.

export type StoreSetting = { kind: 'embedded' } | { kind: 'redis'; url: string };

/** Why `raw` names no store, in one line; undefined when it is 'embedded' or a usable Redis URL. */
export function storeUrlProblem(raw: string): string | undefined {
  const v = raw.trim();
  if (v === 'embedded') return undefined;
  if (v === '') return "expected a redis:// or rediss:// URL, or 'embedded'";
  if (/\s/.test(v)) return 'a store URL has no spaces';
  if (!/^rediss?:\/\//i.test(v)) return `expected a redis:// or rediss:// URL, or 'embedded' (got '${clip(v)}')`;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return `'${clip(hidePassword(v))}' is not a valid URL`;
  }
  if (!u.hostname) return `'${clip(hidePassword(v))}' names no host`;
  if (u.port !== '' && (Number(u.port) < 1 || Number(u.port) > 65535)) return `port ${u.port} is out of range`;
  const db = u.pathname.replace(/^\/+/, '');
  if (db !== '' && !/^\d{1,4}$/.test(db)) return `the path of a Redis URL is a database number (got '/${clip(db)}')`;
  if (u.hash) return 'a store URL has no #fragment';
  return undefined;
}

/** The setting as a store choice; throws an Error whose message is `<what>: <reason>`. */
export function parseStoreSetting(raw: string, what: string): StoreSetting {
  const problem = storeUrlProblem(raw);
  if (problem) throw new Error(`${what}: ${problem}`);
  const v = raw.trim();
  return v === 'embedded' ? { kind: 'embedded' } : { kind: 'redis', url: v };
}

function hidePassword(url: string): string {
  return url.replace(/:[^:@/]*@/, ':***@');
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** The URL with its password replaced, for messages. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return hidePassword(url);
  }
}
