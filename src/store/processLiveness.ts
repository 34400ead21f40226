// Small, dependency-free liveness check for the store's lock holders: is the process that wrote a
// lock file still the same running process? A pid alone is not enough (pids are reused), so the
// identity includes the kernel's start time of the process and the boot id.
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface HolderIdentity {
  pid: number;
  /** `<boot id>:<start ticks>` on Linux; '' where the OS does not tell (then only the pid is checked). */
  startTime: string;
  host: string;
  /** The pid namespace (`/proc/self/ns/pid` link); pids of another namespace cannot be checked. */
  pidNs?: string;
}

export type HolderState = { state: 'alive' } | { state: 'dead'; reason: string } | { state: 'unknown'; reason: string };

let bootId: string | undefined;
function readBootId(): string {
  if (bootId === undefined) {
    try {
      bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = '';
    }
  }
  return bootId;
}

/** Field 3 (state) and field 22 (starttime) of /proc/<pid>/stat, or undefined when unreadable. */
export function readProcStat(pid: number): { state: string; startTicks: string } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: fields restart after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTicks = fields[19];
  if (!state || !startTicks) return undefined;
  return { state, startTicks };
}

export function processStartTime(pid: number): string {
  const stat = readProcStat(pid);
  return stat ? `${readBootId()}:${stat.startTicks}` : '';
}

let pidNamespace: string | undefined;
function readPidNamespace(): string {
  if (pidNamespace === undefined) {
    try {
      pidNamespace = fs.readlinkSync('/proc/self/ns/pid');
    } catch {
      pidNamespace = '';
    }
  }
  return pidNamespace;
}

let self: HolderIdentity | undefined;
export function selfIdentity(): HolderIdentity {
  if (!self) self = { pid: process.pid, startTime: processStartTime(process.pid), host: os.hostname(), pidNs: readPidNamespace() || undefined };
  return self;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process named by `id` still runs. Other hosts cannot be checked: `unknown`. */
export function holderState(id: HolderIdentity): HolderState {
  if (id.host !== os.hostname()) return { state: 'unknown', reason: `held from another host (${id.host})` };
  if (id.pidNs && id.pidNs !== readPidNamespace()) return { state: 'unknown', reason: `held from another pid namespace (${id.pidNs})` };
  if (!pidExists(id.pid)) return { state: 'dead', reason: `process ${id.pid} has exited` };
  const stat = readProcStat(id.pid);
  if (stat) {
    if (stat.state === 'Z' || stat.state === 'X') return { state: 'dead', reason: `process ${id.pid} has exited` };
    const now = `${readBootId()}:${stat.startTicks}`;
    if (id.startTime && id.startTime !== now) return { state: 'dead', reason: `process ${id.pid} has exited (pid reused)` };
  }
  return { state: 'alive' };
}
