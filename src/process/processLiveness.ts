// A process's identity and whether it still runs. The identity is pid + start time + host (the start
// time carries the boot id and pid namespace on Linux), so a reused pid is never mistaken for the same
// process; a dead agent's leases are then freed at once, not after the TTL, and a dead lock holder's
// lock is taken over. Below the store (its lock, the lease table's dead-agent rule) and the agents.
import * as os from 'node:os';
import type { ProcessVerdict } from '../core/leaseTable';
import type { ProcessIdentity } from '../core/model';
import { linuxBootId, linuxPidNamespace, parseLinuxStartTime, processPlatform, processReader, readProcStat, readProcess, type ProcessInfo } from './processTable';

export function identityOfInfo(info: ProcessInfo): ProcessIdentity {
  return { pid: info.pid, startTime: info.startTime, host: os.hostname(), command: info.comm || undefined };
}

export function hasEnded(state: string): boolean {
  return state === 'Z' || state === 'X' || state === 'x';
}

/** The identity of a given process (e.g. an agent the scheduler launched), if it runs on this machine. */
export function identifyProcess(pid: number): ProcessIdentity | undefined {
  const info = readProcess(pid);
  return info && !hasEnded(info.state) ? identityOfInfo(info) : undefined;
}

function ended(pid: number, detail?: string): ProcessVerdict {
  return { state: 'dead', reason: `holder's agent process ${pid} ended${detail ? ` (${detail})` : ''}` };
}

/** Whether a pid exists at all, even one this user may not read (kill 0: ESRCH vs EPERM). */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function verdictWith(identity: ProcessIdentity, read: (pid: number) => ProcessInfo | undefined): ProcessVerdict {
  if (identity.host !== os.hostname()) return { state: 'unknown' };
  const { pid } = identity;
  switch (processPlatform()) {
    case 'linux': {
      const want = parseLinuxStartTime(identity.startTime);
      if (!want) return { state: 'unknown' };
      if (want.pidNamespace !== linuxPidNamespace()) return { state: 'unknown' };
      if (want.bootId !== linuxBootId()) return ended(pid, 'the machine restarted since');
      // One /proc read, no spawn: this runs inside lease transactions.
      const stat = readProcStat(pid);
      if (!stat) return pidExists(pid) ? { state: 'unknown' } : ended(pid);
      if (stat.startTicks !== want.ticks) return ended(pid, `pid ${pid} now belongs to another process`);
      return hasEnded(stat.state) ? ended(pid) : { state: 'alive' };
    }
    case 'darwin': {
      const info = read(pid);
      if (!info) return pidExists(pid) ? { state: 'unknown' } : ended(pid);
      if (info.startTime !== identity.startTime) return ended(pid, `pid ${pid} now belongs to another process`);
      return hasEnded(info.state) ? ended(pid) : { state: 'alive' };
    }
    default:
      return { state: 'unknown' };
  }
}

/** Alive, dead (with reason), or unknown (other host / unsupported OS). Stopped processes are alive. */
export function processVerdict(identity: ProcessIdentity): ProcessVerdict {
  return verdictWith(identity, readProcess);
}

export interface WatchedSession {
  id: string;
  process?: ProcessIdentity;
  endedAt?: number;
}

export interface DeadSession {
  id: string;
  reason: string;
}

/**
 * For the coordinator's poll loop: which open sessions' agents have ended on this machine.
 * On macOS one `ps` snapshot serves every session of a poll.
 */
export class LivenessMonitor {
  constructor(private readonly verdict?: (identity: ProcessIdentity) => ProcessVerdict) {}

  deadSessions(sessions: Iterable<WatchedSession>): DeadSession[] {
    const read = processReader();
    const dead: DeadSession[] = [];
    for (const s of sessions) {
      if (s.endedAt !== undefined || !s.process) continue;
      const v = this.verdict ? this.verdict(s.process) : verdictWith(s.process, read);
      if (v.state === 'dead') dead.push({ id: s.id, reason: v.reason });
    }
    return dead;
  }
}
