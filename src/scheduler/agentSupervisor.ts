// The agent supervisor: a tiny node process per headless agent that starts the agent, waits for it and
// writes how it ended (exit code or signal) to a status file. It outlives the CLI that started it
// (`lockstep task start` returns at once), so an agent's exit status is known even when nobody was
// listening: a crash or a non-zero exit becomes `failed`, never `finished`. The program is a fixed
// string run with `node -e`; the agent's argv reaches it as arguments and is never parsed by a shell.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from '../core/zodClassic';

/**
 * argv: statusFile run program args…; stdout: one handshake line ({"pid":N} or {"error":"…"}), then
 * closed; stderr: the agent's log. The agent runs through `/bin/sh -c 'exec "$@"'` in its own process
 * group so that LOCKSTEP_AGENT_PID is its own pid and stopping it ends what it started.
 */
export const SUPERVISOR_PROGRAM = String.raw`
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const [statusFile, run, program, ...args] = process.argv.slice(1);
const say = (o) => { try { fs.writeSync(1, JSON.stringify(o) + '\n'); fs.closeSync(1); } catch {} };
const child = spawn('/bin/sh', ['-c', 'LOCKSTEP_AGENT_PID=$$; export LOCKSTEP_AGENT_PID; exec "$@"', 'lockstep-agent', program, ...args],
  { stdio: ['ignore', 2, 2], detached: true });
child.once('error', (e) => { say({ error: e.message }); process.exit(1); });
child.once('spawn', () => say({ pid: child.pid }));
for (const s of ['SIGHUP', 'SIGINT', 'SIGPIPE']) process.on(s, () => {});
child.once('exit', (code, signal) => {
  const status = { run: Number(run), pid: child.pid, exitCode: code, signal: signal || undefined, endedAt: Date.now() };
  try { fs.writeSync(2, '--- ' + new Date().toISOString() + ' lockstep: agent exited (' + (signal ? 'signal ' + signal : 'code ' + code) + ')\n'); } catch {}
  const tmp = statusFile + '.' + process.pid + '.tmp';
  fs.mkdirSync(require('node:path').dirname(statusFile), { recursive: true });
  fs.writeFileSync(tmp, JSON.stringify(status));
  fs.renameSync(tmp, statusFile);
  process.exit(0);
});
`;

/** How an agent ended, as its supervisor wrote it. `run` is the task's startedAt: a record of an older run is not this run's. */
export const AgentExitRecord = z.object({
  run: z.number(),
  pid: z.number().optional(),
  exitCode: z.number().nullable(),
  signal: z.string().optional(),
  endedAt: z.number(),
});
export type AgentExitRecord = z.infer<typeof AgentExitRecord>;

/** The supervisor's record of run `run`, if it has written one (an unreadable or older record is none). */
export function readExitRecord(file: string, run: number | undefined): AgentExitRecord | undefined {
  try {
    const r = AgentExitRecord.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return run === undefined || r.run === run ? r : undefined;
  } catch {
    return undefined;
  }
}

export function removeExitRecord(file: string): void {
  fs.rmSync(file, { force: true });
}

/** `<store>/exits/<task>.json` */
export function exitRecordFile(storeDir: string, task: string): string {
  return path.join(storeDir, 'exits', `${task}.json`);
}
