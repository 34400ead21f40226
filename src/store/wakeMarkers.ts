// Which idle sessions can be woken: `wake/<session>.json` holds the pid of the process waiting to
// wake that session's agent (Claude Code's asyncRewake Stop hook, hookWake.ts). A marker whose
// process is gone counts as absent, so a crashed waiter never makes `lockstep send` promise a wake.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from '../core/zod';

const Marker = z.object({ session: z.string(), pid: z.int().check(z.positive()), at: z.number() });
export type WakeMarker = z.infer<typeof Marker>;

function markerFile(dir: string, session: string): string {
  return path.join(dir, `${Buffer.from(session).toString('base64url')}.json`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Records `pid` as the session's waiter (replacing an earlier one, which then stops). Atomic rename. */
export function registerWaiter(dir: string, session: string, pid: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = markerFile(dir, session);
  const tmp = `${file}.${pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ session, pid, at: Date.now() }));
  fs.renameSync(tmp, file);
}

/** The session's live waiter, if any. */
export function liveWaiter(dir: string, session: string): WakeMarker | undefined {
  let raw: string;
  try {
    raw = fs.readFileSync(markerFile(dir, session), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const m = Marker.parse(JSON.parse(raw));
    return alive(m.pid) ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the marker if it is still `pid`'s. */
export function unregisterWaiter(dir: string, session: string, pid: number): void {
  const file = markerFile(dir, session);
  try {
    const m = Marker.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (m.pid === pid) fs.rmSync(file, { force: true });
  } catch {
    /* gone or replaced */
  }
}
