// Reads the operating system's process table: one process's parent, state, start time and command.
// Linux reads /proc (no spawn: this runs inside lease transactions and the coordinator's poll loop);
// macOS asks `ps`; other systems are unsupported (callers then fall back to the lease TTL).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** One-letter state: Linux R S D Z T t X I…; macOS the first letter of `ps -o stat`. */
  state: string;
  /** Opaque and comparable: the same value only for the same process (see startTimeOf). */
  startTime: string;
  /** Executable name as the OS reports it (Linux comm, at most 15 chars; may be a process title). */
  comm: string;
  /** Command line; a process that rewrote its title may show one element holding the whole title. */
  argv: string[];
}

export type ProcessPlatform = 'linux' | 'darwin' | 'unsupported';

export function processPlatform(): ProcessPlatform {
  if (process.platform === 'linux') return fs.existsSync('/proc/self/stat') ? 'linux' : 'unsupported';
  if (process.platform === 'darwin') return 'darwin';
  return 'unsupported';
}

// ---- Linux -------------------------------------------------------------------------------------

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** Field 22: clock ticks after boot at which the process started. */
  startTicks: string;
}

/**
 * Parses /proc/<pid>/stat. comm sits between the first '(' and the LAST ')', and may itself hold
 * spaces and parentheses, so the fields after it are counted from that last ')'.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  // Fields 3.. (state, ppid, …); field 22 (starttime) is index 19 here.
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const state = rest[0];
  const ppid = Number(rest[1]);
  const startTicks = rest[19];
  if (!Number.isInteger(pid) || !state || !Number.isInteger(ppid) || !startTicks || !/^\d+$/.test(startTicks)) return undefined;
  return { pid, comm, state, ppid, startTicks };
}

let bootId: string | undefined;
/** Changes at every boot, so a start time in ticks is only comparable within one boot. */
export function linuxBootId(): string {
  if (bootId === undefined) {
    try {
      bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || 'no-boot-id';
    } catch {
      bootId = 'no-boot-id';
    }
  }
  return bootId;
}

/**
 * Changes when the machine restarts: the Linux boot id; elsewhere the boot time from the uptime
 * (to the minute, so clock jitter does not look like a restart).
 */
export function machineBootId(): string {
  if (processPlatform() === 'linux') return linuxBootId();
  return `boot@${Math.round((Date.now() / 1000 - os.uptime()) / 60)}`;
}

let pidNamespace: string | undefined;
/**
 * The pid namespace this process sees (e.g. `4026531836`). Two containers can share a hostname and
 * a kernel (boot id) yet number their processes independently; pids are comparable only within one.
 */
export function linuxPidNamespace(): string {
  if (pidNamespace === undefined) {
    try {
      pidNamespace = /\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/pid'))?.[1] ?? 'ns?';
    } catch {
      pidNamespace = 'ns?';
    }
  }
  return pidNamespace;
}

/** Linux start time: `<boot id>/<pid namespace>/<ticks>`. */
export function linuxStartTime(startTicks: string): string {
  return `${linuxBootId()}/${linuxPidNamespace()}/${startTicks}`;
}

export interface LinuxStartTime {
  bootId: string;
  pidNamespace: string;
  ticks: string;
}

export function parseLinuxStartTime(startTime: string): LinuxStartTime | undefined {
  const m = /^([^/]+)\/([^/]+)\/(\d+)$/.exec(startTime);
  return m ? { bootId: m[1], pidNamespace: m[2], ticks: m[3] } : undefined;
}

const statBuffer = Buffer.alloc(4096);
/**
 * /proc/<pid>/stat, parsed; undefined when the process does not exist (or cannot be read).
 * One open + read + close into a reused buffer (the line is far shorter than 4 KiB): this is the
 * liveness check's whole cost.
 */
export function readProcStat(pid: number): ProcStat | undefined {
  let fd: number;
  try {
    fd = fs.openSync(`/proc/${pid}/stat`, 'r');
  } catch {
    return undefined;
  }
  let text: string;
  try {
    const n = fs.readSync(fd, statBuffer, 0, statBuffer.length, 0);
    text = statBuffer.toString('utf8', 0, n);
  } catch {
    // ESRCH: the process ended between open and read.
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
  return parseProcStat(text);
}

function readLinuxArgv(pid: number): string[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a.length > 0);
  } catch {
    return [];
  }
}

function readLinuxProcess(pid: number): ProcessInfo | undefined {
  const stat = readProcStat(pid);
  if (!stat) return undefined;
  return {
    pid,
    ppid: stat.ppid,
    state: stat.state,
    startTime: linuxStartTime(stat.startTicks),
    comm: stat.comm,
    argv: readLinuxArgv(pid),
  };
}

// ---- macOS ---------------------------------------------------------------------------------------

// `lstart` is always five tokens in the C locale: "Mon Nov 27 20:36:00 2023".
const PS_LINE = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\w{3}\s+\w{3}\s+\d+\s+\d\d:\d\d:\d\d\s+\d{4})\s?(.*)$/;

/** Parses lines of `ps -o pid=,ppid=,stat=,lstart=,args=`. */
export function parsePsLines(text: string): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const line of text.split('\n')) {
    const m = PS_LINE.exec(line);
    if (!m) continue;
    const args = m[5].trim();
    const first = args.split(/\s+/)[0] ?? '';
    out.push({
      pid: Number(m[1]),
      ppid: Number(m[2]),
      state: m[3][0],
      startTime: m[4].replace(/\s+/g, ' '),
      comm: first.slice(first.lastIndexOf('/') + 1),
      argv: args.length > 0 ? args.split(/\s+/) : [],
    });
  }
  return out;
}

function runPs(args: string[]): ProcessInfo[] {
  try {
    const text = execFileSync('ps', [...args, '-o', 'pid=,ppid=,stat=,lstart=,args='], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    });
    return parsePsLines(text);
  } catch {
    // ps exits 1 when the pid does not exist.
    return [];
  }
}

// ---- both ----------------------------------------------------------------------------------------

/** One process, or undefined when it does not exist or the OS is unsupported. */
export function readProcess(pid: number): ProcessInfo | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  switch (processPlatform()) {
    case 'linux':
      return readLinuxProcess(pid);
    case 'darwin':
      return runPs(['-p', String(pid)]).find((p) => p.pid === pid);
    default:
      return undefined;
  }
}

/**
 * A reader for walking several processes at once: on macOS one `ps -A` snapshot instead of one
 * spawn per process; on Linux each read goes straight to /proc.
 */
export function processReader(): (pid: number) => ProcessInfo | undefined {
  if (processPlatform() !== 'darwin') return readProcess;
  let table: Map<number, ProcessInfo> | undefined;
  return (pid) => {
    table ??= new Map(runPs(['-A']).map((p) => [p.pid, p]));
    return table.get(pid);
  };
}
