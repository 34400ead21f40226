// A stand-in coding agent for the demo and the end-to-end tests. It behaves like Claude Code or
// Codex towards Lockstep: before every edit it runs the real `lockstep hook` (through `sh -c`, as
// agents do) with that agent's real payload, edits the file only when allowed, reports the edit
// with the post-edit hook, and ends its session when done. Denials are printed with their reason.
//
// Usage: node --import tsx scripts/simulatedAgent.ts --agent claude|codex --session ID --cwd DIR
//          --files a.ts,b.ts [--rounds N] [--think-ms MS] [--hold-ms MS] [--cli path/to/cli.js]
//        node --import tsx scripts/simulatedAgent.ts --agent claude|codex --task-script FILE
//          (as a plan's agent: the scheduler's {promptFile} holds a TaskScript; session and folder come
//          from the scheduler's LOCKSTEP_SESSION and working directory; the agent commits and exits 0)
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    agent: { type: 'string', default: 'claude' },
    session: { type: 'string' },
    cwd: { type: 'string' },
    files: { type: 'string' },
    rounds: { type: 'string', default: '1000000' },
    'think-ms': { type: 'string', default: '1500' },
    'hold-ms': { type: 'string', default: '4000' },
    cli: { type: 'string', default: path.resolve(__dirname, '..', 'dist', 'cli.js') },
    'end-session': { type: 'boolean', default: true },
    'task-script': { type: 'string' },
  },
});

/** What a simulated agent does for a plan task (the task's prompt, as JSON). */
interface TaskScript {
  /** Files to edit, in order; a denied file is retried until it is granted (or attempts run out). */
  edit: string[];
  /** Pause before each edit attempt. */
  thinkMs?: number;
  /** Denied attempts per file before the agent gives up on it. */
  attempts?: number;
  /** Commit message for the task's branch (write tasks). */
  commit?: string;
}

const taskScript: TaskScript | undefined = values['task-script'] ? (JSON.parse(fs.readFileSync(values['task-script'], 'utf8')) as TaskScript) : undefined;
// As a plan's agent, the scheduler names the session (LOCKSTEP_SESSION=<agent>:<id>) and the folder.
const schedulerSession = process.env.LOCKSTEP_SESSION?.split(':').slice(1).join(':');

const agent = values.agent === 'codex' ? 'codex' : 'claude';
const cwd = path.resolve(values.cwd ?? process.cwd());
const session = values.session ?? schedulerSession ?? `${agent}-${process.pid}`;
const files = (values.files ?? '').split(',').filter(Boolean);
const rounds = Number(values.rounds);
const thinkMs = Number(values['think-ms']);
const holdMs = Number(values['hold-ms']);
const cli = values.cli!;
const tag = `[${agent}:${session}]`;

function log(msg: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${tag} ${msg}\n`);
}

const sleepers = new Set<() => void>();
/** A pause that a stop request cuts short. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      sleepers.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    sleepers.add(wake);
  });
}

function base(event: string): Record<string, unknown> {
  const common = { session_id: session, transcript_path: path.join(cwd, '.no-transcript.jsonl'), cwd, hook_event_name: event, permission_mode: 'acceptEdits' };
  return agent === 'codex' ? { ...common, turn_id: `turn-${Date.now()}`, model: 'gpt-5-codex' } : common;
}

function toolCall(event: 'PreToolUse' | 'PostToolUse', file: string, content: string): Record<string, unknown> {
  const abs = path.join(cwd, file);
  if (agent === 'codex') {
    const patch = `*** Begin Patch\n*** Update File: ${file}\n@@\n+${content.trim()}\n*** End Patch\n`;
    return { ...base(event), tool_name: 'apply_patch', tool_input: { command: patch }, tool_use_id: `call_${Date.now()}`, ...(event === 'PostToolUse' ? { tool_response: { success: true } } : {}) };
  }
  return {
    ...base(event),
    tool_name: 'Write',
    tool_input: { file_path: abs, content },
    tool_use_id: `toolu_${Date.now()}`,
    ...(event === 'PostToolUse' ? { tool_response: { filePath: abs, success: true } } : {}),
  };
}

/** Runs the hook exactly as an agent does: a shell command line, payload on stdin. */
function hook(payload: Record<string, unknown>): { allowed: boolean; reason: string } {
  const cmd = `node ${JSON.stringify(cli)} hook --agent ${agent}`;
  const r = spawnSync('/bin/sh', ['-c', cmd], { cwd, input: JSON.stringify(payload), encoding: 'utf8' });
  const stderr = (r.stderr ?? '').trim();
  if (r.status === 2) return { allowed: false, reason: stderr };
  if (r.status !== 0) return { allowed: false, reason: `hook failed (${r.status ?? r.signal ?? r.error?.message}): ${stderr}` };
  const out = (r.stdout ?? '').trim();
  if (!out) return { allowed: true, reason: '' };
  try {
    const j = JSON.parse(out) as { hookSpecificOutput?: { permissionDecision?: string; permissionDecisionReason?: string } };
    const d = j.hookSpecificOutput;
    if (d?.permissionDecision === 'deny') return { allowed: false, reason: d.permissionDecisionReason ?? 'denied' };
  } catch {
    /* non-JSON output is not a decision */
  }
  return { allowed: true, reason: '' };
}

let stopping = false;
function endSession(): void {
  if (values['end-session']) hook({ ...base('SessionEnd'), reason: 'exit' });
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    stopping = true;
    for (const wake of [...sleepers]) wake();
  });
}

/** One edit through the hooks; true when it happened. */
function tryEdit(file: string, line: string): boolean {
  const pre = hook(toolCall('PreToolUse', file, line));
  if (!pre.allowed) {
    log(`DENIED ${file}: ${pre.reason}`);
    return false;
  }
  const abs = path.join(cwd, file);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.appendFileSync(abs, line);
  hook(toolCall('PostToolUse', file, line));
  log(`edited ${file}`);
  return true;
}

/** A plan task's agent: edit each file (waiting out denials), commit, end the session, exit 0. */
async function runTask(script: TaskScript): Promise<void> {
  hook({ ...base('SessionStart'), source: 'startup' });
  log(`started task ${process.env.LOCKSTEP_TASK ?? '?'} in ${cwd}`);
  let edited = 0;
  for (const file of script.edit) {
    for (let attempt = 1; attempt <= (script.attempts ?? 1) && !stopping; attempt++) {
      await sleep(script.thinkMs ?? thinkMs);
      if (tryEdit(file, `// ${agent} ${session}: ${process.env.LOCKSTEP_TASK ?? 'task'} was here\n`)) {
        edited++;
        break;
      }
    }
  }
  if (script.commit && edited > 0 && !stopping) {
    execFileSync('git', ['add', '-A'], { cwd });
    execFileSync('git', ['-c', 'user.name=Demo Agent', '-c', 'user.email=agent@example.invalid', 'commit', '-q', '-m', script.commit], { cwd });
    log(`committed "${script.commit}"`);
  }
  endSession();
  log('session ended');
}

async function main(): Promise<void> {
  if (taskScript) return runTask(taskScript);
  hook({ ...base('SessionStart'), source: 'startup' });
  log(`started in ${cwd}`);
  for (let i = 0; i < rounds && !stopping; i++) {
    const file = files[i % files.length]!;
    const line = `// ${agent} ${session} edit ${i + 1} at ${new Date().toISOString()}\n`;
    if (tryEdit(file, line)) await sleep(holdMs);
    await sleep(thinkMs);
  }
  endSession();
  log('session ended');
}

void main();
