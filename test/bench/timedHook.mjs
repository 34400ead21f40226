// Runs a hook command line (the arguments after the log file) with this process's stdin and
// stdout, and appends how long it took to the log: the hook's own time as the agent waits for it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

const [log, ...command] = process.argv.slice(2);
const input = fs.readFileSync(0);
const t0 = Date.now();
const r = spawnSync(command[0], command.slice(1), { input, stdio: ['pipe', 'inherit', 'inherit'] });
const t1 = Date.now();
let event = '?';
try {
  const p = JSON.parse(input.toString('utf8'));
  event = p.hook_event_name ?? p.hookEventName ?? p.hookName ?? '?';
} catch {}
fs.appendFileSync(log, `${JSON.stringify({ event, t0, t1 })}\n`);
process.exit(r.status ?? 1);
