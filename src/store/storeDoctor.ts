// `lockstep doctor`: checks the store (folder, file system, lock, state, journal) and repairs what
// it safely can. It never deletes user-relevant data: bad lease-table files are moved aside, and the
// table is rebuilt from the journal with a fence above every fence ever seen (fences never repeat).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AgentName, DEFAULT_TTL_MS, emptyState, type JournalEntry, type Lease, type LeaseTableState, type Session } from '../core/model';
import { newOwnerToken } from './embeddedStore';
import { acquireFileLock, breakLockIfDead, inspectLock, unknownHolderFix, type HeldLock } from './fileLock';
import { fileSystemRefusal, statfsType } from './fileSystemKind';
import { appendJournal, journalSize, readWholeJournal } from './journalFile';
import { restoreLostGrants } from './lostCommits';
import { encodeSlot, readNewestSlot, commitSlot, type StateRead } from './stateFile';
import { machineBootId } from '../process/processTable';
import { readStoreConfig } from './storeConfig';
import { storePaths } from './storePaths';

export interface DoctorCheck {
  name: 'store folder' | 'file system' | 'lock' | 'config' | 'state' | 'journal';
  ok: boolean;
  detail: string;
  /** What the doctor changed to fix it, if anything. */
  repaired?: string;
}

export interface DoctorReport {
  dir: string;
  /** True when every check passes (after repairs). */
  healthy: boolean;
  checks: DoctorCheck[];
}

/** Rebuilds a table from journal entries: sessions and leases still open at the end, fence above all seen. */
export function rebuildFromJournal(entries: readonly JournalEntry[], now: number, ttlMs = DEFAULT_TTL_MS, fenceFloor = 0): LeaseTableState {
  const state = emptyState();
  let maxFence = fenceFloor;
  const open = new Map<string, { session: string; fence: number; acquiredAt: number; lastAt: number }>();
  const sessions = new Map<string, { first: number; last: number }>();
  for (const e of entries) {
    if (e.fence !== undefined && e.fence > maxFence) maxFence = e.fence;
    if (e.session) {
      const s = sessions.get(e.session);
      if (s) s.last = e.at;
      else if (e.op !== 'session-end') sessions.set(e.session, { first: e.at, last: e.at });
    }
    switch (e.op) {
      case 'grant':
        if (e.key && e.session && e.fence !== undefined) open.set(e.key, { session: e.session, fence: e.fence, acquiredAt: e.at, lastAt: e.at });
        break;
      case 'renew': {
        const l = e.key ? open.get(e.key) : undefined;
        if (l && l.fence === e.fence) l.lastAt = e.at;
        break;
      }
      case 'release':
      case 'expire': {
        const l = e.key ? open.get(e.key) : undefined;
        if (l && (e.fence === undefined || l.fence === e.fence)) open.delete(e.key!);
        break;
      }
      case 'session-end':
        if (e.session) sessions.delete(e.session);
        break;
      default:
        break;
    }
  }
  for (const [id, s] of sessions) {
    const agent = AgentName.safeParse(id.split(':')[0]);
    if (!agent.success) continue;
    const session: Session = { id, agent: agent.data, cwd: '', worktree: '', startedAt: s.first, lastSeen: s.last, source: 'hook', readOnly: false };
    state.sessions[id] = session;
  }
  for (const [key, l] of open) {
    if (!state.sessions[l.session]) continue;
    const expiresAt = l.lastAt + ttlMs;
    if (expiresAt <= now) continue;
    // The owner token is not journaled (it is a capability): token holders must re-claim; session holders are unaffected.
    const lease: Lease = { key, session: l.session, ownerToken: newOwnerToken(), fence: l.fence, acquiredAt: l.acquiredAt, expiresAt };
    state.leases[key] = lease;
  }
  state.fence = maxFence + 1;
  return state;
}

/** Largest `"fence": N` anywhere in a damaged state file's text (a floor for the rebuilt fence). */
function fenceFloorFromText(text: string): number {
  let max = 0;
  for (const m of text.matchAll(/"fence"\s*:\s*(\d+)/g)) max = Math.max(max, Number(m[1]));
  return max;
}

function stamp(now: number): string {
  return new Date(now).toISOString().replace(/[:.]/g, '-');
}

export function runDoctor(commonDir: string, opts: { repair?: boolean; now?: () => number } = {}): DoctorReport {
  const repair = opts.repair ?? true;
  const now = opts.now ?? Date.now;
  const p = storePaths(commonDir);
  const checks: DoctorCheck[] = [];
  const report = (): DoctorReport => ({ dir: p.dir, healthy: checks.every((c) => c.ok), checks });

  // 1. folder
  if (!fs.existsSync(p.dir)) {
    if (!repair) {
      checks.push({ name: 'store folder', ok: false, detail: `${p.dir} does not exist` });
      return report();
    }
    fs.mkdirSync(p.dir, { recursive: true });
    checks.push({ name: 'store folder', ok: true, detail: p.dir, repaired: 'created it' });
  } else {
    try {
      fs.accessSync(p.dir, fs.constants.W_OK);
      checks.push({ name: 'store folder', ok: true, detail: p.dir });
    } catch {
      checks.push({ name: 'store folder', ok: false, detail: `${p.dir} is not writable by this user` });
      return report();
    }
  }

  // 2. file system
  const type = statfsType(p.dir);
  const refusal = fileSystemRefusal(type, p.dir);
  checks.push(refusal ? { name: 'file system', ok: false, detail: refusal } : { name: 'file system', ok: true, detail: `local (statfs type 0x${(type >>> 0).toString(16)})` });
  if (refusal) return report();

  // 3. lock
  const cond = inspectLock(p.lock);
  if (cond.kind === 'free') checks.push({ name: 'lock', ok: true, detail: 'free' });
  else if (cond.kind === 'held') {
    const stuck = cond.ageMs > 5000;
    checks.push({
      name: 'lock',
      ok: !stuck,
      detail: stuck
        ? `held for ${(cond.ageMs / 1000).toFixed(0)} s by pid ${cond.record.pid} on ${cond.record.host}, which is ${cond.holder.state === 'alive' ? 'alive (stopped or hung? resume or end it)' : `${cond.holder.reason}; ${unknownHolderFix(p.lock, cond.record)}`}`
        : `held by pid ${cond.record.pid} (a transaction in progress)`,
    });
  } else {
    const what = cond.kind === 'dead' ? `held by a dead process (${cond.reason})` : `unreadable and ${(cond.ageMs / 1000).toFixed(1)} s old`;
    if (repair) {
      const r = breakLockIfDead(p.lock);
      const ok = r.brokeLock || inspectLock(p.lock).kind !== cond.kind;
      checks.push({ name: 'lock', ok, detail: what, repaired: r.brokeLock ? 'broke the dead lock' : undefined });
    } else checks.push({ name: 'lock', ok: false, detail: what });
  }

  // 4. config
  let ttlMs = DEFAULT_TTL_MS;
  try {
    const c = readStoreConfig(p.config);
    if (c.ttlSeconds) ttlMs = c.ttlSeconds * 1000;
    checks.push({ name: 'config', ok: true, detail: fs.existsSync(p.config) ? JSON.stringify(c) : 'defaults (no config.json)' });
  } catch (e) {
    checks.push({ name: 'config', ok: false, detail: `${(e as Error).message}; fix or delete it` });
  }

  // 5 + 6. state and journal, under the store lock when repairing
  let held: HeldLock | undefined;
  if (repair) {
    try {
      held = acquireFileLock(p.lock, { timeoutMs: 3000 });
    } catch (e) {
      checks.push({ name: 'state', ok: false, detail: `not checked: ${(e as Error).message}` });
      return report();
    }
  }
  try {
    checkStateAndJournal(p, checks, repair, now(), ttlMs);
  } finally {
    held?.release();
  }
  return report();
}

function checkStateAndJournal(p: ReturnType<typeof storePaths>, checks: DoctorCheck[], repair: boolean, now: number, ttlMs: number): void {
  const journal = readWholeJournal(p.journal, p.journalRotated);
  const journalMaxFence = journal.entries.reduce((m, e) => Math.max(m, e.fence ?? 0), 0);

  // Leftover temp files of writers (of builds before the slot files) that died mid-write.
  const leftovers = fs.readdirSync(p.dir).filter((f) => f.startsWith('state.json.tmp-'));

  let read: StateRead | undefined;
  let problem: string | undefined;
  try {
    read = readNewestSlot(p);
    if (!read && journal.entries.length > 0) problem = 'the lease table is missing but the journal has history';
  } catch (e) {
    problem = (e as Error).message.split('; ')[0];
  }
  // (A fallen-back table is behind the journal too: repaired below without rebuilding the rest.)
  if (read && !read.fellBack && journalMaxFence > read.state.fence) problem = `state fence ${read.state.fence} is behind the journal's ${journalMaxFence}`;

  if (!problem && read?.fellBack) {
    // The newest slot is damaged: the table fell back one commit. Its lost grants are in the journal.
    const detail = `the newest lease-table slot is damaged; the table fell back to commit ${read.seq} in ${path.basename(p.slots[read.slot])}`;
    if (!repair) checks.push({ name: 'state', ok: false, detail });
    else {
      const state = read.state;
      const recovered = restoreLostGrants(state, journal.entries, { survivingFence: state.fence, now, ttlMs, newToken: newOwnerToken });
      state.fence = Math.max(state.fence, journalMaxFence);
      appendJournal(p.journal, recovered);
      const meta = { ...read.meta, pending: [...read.meta.pending, ...recovered] };
      commitSlot(p, read.slot === 0 ? 1 : 0, encodeSlot(state, read.seq + 1, meta).content);
      checks.push({ name: 'state', ok: true, detail, repaired: `rewrote it with ${recovered.length} lease(s) of the lost commit rebuilt from the journal (owner tokens renewed)` });
    }
  } else if (!problem) {
    const s = read?.state;
    checks.push({
      name: 'state',
      ok: true,
      detail: s
        ? `valid: ${Object.keys(s.sessions).length} sessions, ${Object.keys(s.leases).length} leases, fence ${s.fence} (commit ${read!.seq} in ${path.basename(read!.legacy ? p.legacy : p.slots[read!.slot])})`
        : 'empty (nothing recorded yet)',
    });
  } else if (!repair) {
    checks.push({ name: 'state', ok: false, detail: problem });
  } else {
    const moved: string[] = [];
    let floor = read?.state.fence ?? 0;
    for (const file of [...p.slots, p.legacy]) {
      if (!fs.existsSync(file)) continue;
      floor = Math.max(floor, fenceFloorFromText(fs.readFileSync(file, 'utf8')));
      const aside = `${file}.bad-${stamp(now)}`;
      fs.renameSync(file, aside);
      moved.push(path.basename(aside));
    }
    const rebuilt = rebuildFromJournal(journal.entries, now, ttlMs, floor);
    const meta = { boot: machineBootId(), journalSyncedTo: journalSize(p.journal), pending: [] };
    commitSlot(p, 0, encodeSlot(rebuilt, (read?.seq ?? 0) + 1, meta).content);
    checks.push({
      name: 'state',
      ok: true,
      detail: problem,
      repaired:
        (moved.length > 0 ? `moved the bad file(s) aside: ${moved.join(', ')}; ` : '') +
        `rebuilt from the journal (${journal.entries.length} entries): ${Object.keys(rebuilt.sessions).length} sessions, ` +
        `${Object.keys(rebuilt.leases).length} leases (owner tokens renewed), next fence ${rebuilt.fence + 1}`,
    });
  }
  if (leftovers.length > 0 && repair) {
    for (const f of leftovers) fs.rmSync(path.join(p.dir, f), { force: true });
    checks.push({ name: 'state', ok: true, detail: `${leftovers.length} temp file(s) of interrupted writes`, repaired: 'removed them' });
  }

  const lines = journal.entries.length;
  checks.push(
    journal.skipped === 0
      ? { name: 'journal', ok: true, detail: `${lines} entries, last fence ${journalMaxFence}` }
      : { name: 'journal', ok: true, detail: `${lines} entries; ${journal.skipped} unreadable line(s) from torn writes, skipped by readers and left in place` },
  );
}
