// Which store a repository uses: the embedded one (default), or in team mode a Redis server named by
// LOCKSTEP_STORE, else by config.json's `store` (`lockstep config --store`, VS Code `lockstep.store`).
// In team mode the repository is named by a team key, the same on every machine: by default its
// origin remote's URL normalised so ssh and https clones agree (git@host:org/repo.git and
// https://host/org/repo both give host/org/repo). Read from files only: this runs on every hook call.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { displayUrl, parseStoreSetting, type StoreSetting } from '../core/storeUrl';
import { readStoreConfig, type StoreConfig } from './storeConfig';
import { StoreError } from './storeErrors';
import { storePaths } from './storePaths';

export type StoreChoice = { kind: 'embedded' } | { kind: 'redis'; url: string; teamKey: string };

/** The store configured for the repository whose git common dir is `commonDir`. */
export function chooseStore(commonDir: string, env: NodeJS.ProcessEnv = process.env, config?: StoreConfig): StoreChoice {
  const fromEnv = env.LOCKSTEP_STORE?.trim();
  let url: string | undefined;
  if (fromEnv) {
    let setting: StoreSetting;
    try {
      setting = parseStoreSetting(fromEnv, 'LOCKSTEP_STORE');
    } catch (e) {
      throw new StoreError((e as Error).message);
    }
    if (setting.kind === 'embedded') return { kind: 'embedded' };
    url = setting.url;
  }
  let cfg = config;
  const readConfig = (): StoreConfig => {
    try {
      return (cfg ??= readStoreConfig(storePaths(commonDir).config));
    } catch (e) {
      throw new StoreError(`${(e as Error).message}; fix or delete it`);
    }
  };
  if (!url) {
    // An unreadable config.json names no store: the embedded store refuses every transaction with
    // that config error (it reads config.json in each), so nothing runs on the wrong table.
    try {
      url = readConfig().store;
    } catch {
      return { kind: 'embedded' };
    }
  }
  if (!url) return { kind: 'embedded' };
  return { kind: 'redis', url, teamKey: teamKeyOf(commonDir, env, readConfig) };
}

/** A choice in words, for messages and for comparing two choices: 'embedded' or the URL (no password) and team key. */
export function choiceName(choice: StoreChoice): string {
  return choice.kind === 'embedded' ? 'embedded' : `${displayUrl(choice.url)} (team ${choice.teamKey})`;
}

function teamKeyOf(commonDir: string, env: NodeJS.ProcessEnv, config: () => StoreConfig): string {
  const explicit = env.LOCKSTEP_TEAM_KEY?.trim() || config().teamKey;
  if (explicit) return sanitizeKey(explicit);
  const origin = originUrl(commonDir);
  if (!origin) {
    throw new StoreError(`team store: this repository has no origin remote to name it by; add one, or set a team key (lockstep config --team-key <name>, or LOCKSTEP_TEAM_KEY)`);
  }
  return normalizeRemoteUrl(origin);
}

/** Braces would change the hash tag of the Redis keys; whitespace is never meant. */
function sanitizeKey(key: string): string {
  return key.replace(/[{}\s]/g, '_');
}

/**
 * A remote URL as `host/path`, lower case, without user, password, port, scheme or `.git`, so the
 * ssh, scp-like and https forms of one repository agree. A local path stays a (resolved) path.
 */
export function normalizeRemoteUrl(url: string): string {
  const u = url.trim();
  let host: string;
  let rest: string;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(u);
  const scp = /^(?:[^@/:]+@)?([^/:]+):(?!\/\/)(.*)$/.exec(u);
  if (scheme && scheme[1]!.toLowerCase() !== 'file') {
    try {
      const parsed = new URL(u);
      host = parsed.hostname;
      rest = decodeURIComponent(parsed.pathname);
    } catch {
      throw new StoreError(`team store: cannot read the origin remote URL '${u}'; set a team key (lockstep config --team-key <name>)`);
    }
  } else if (scp && !/^[a-z]:[\\/]/i.test(u) && !scheme) {
    host = scp[1]!;
    rest = scp[2]!;
  } else {
    const local = scheme ? u.slice('file://'.length) : u;
    return sanitizeKey(`file:${path.resolve(local).replace(/\/+$/, '').replace(/\.git$/, '')}`);
  }
  rest = rest.replace(/^\/+|\/+$/g, '').replace(/\.git$/i, '').replace(/^~/, '');
  return sanitizeKey(`${host}/${rest}`.toLowerCase());
}

/** `remote.origin.url` from the repository's config file (no git process). */
export function originUrl(commonDir: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(commonDir, 'config'), 'utf8');
  } catch {
    return undefined;
  }
  let inOrigin = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inOrigin = /^\[\s*remote\s+"origin"\s*\]$/.test(line);
      continue;
    }
    if (!inOrigin) continue;
    const m = /^url\s*=\s*(.*)$/i.exec(line);
    if (m) return m[1]!.replace(/^"(.*)"$/, '$1').trim();
  }
  return undefined;
}
