// The task lifecycle headless, through the real built CLI with real processes and real git: an agent
// started by `lockstep task start` (the CLI has exited since) that is killed or exits non-zero is failed,
// never finished; one that exits holding no lease is noticed; a new start retries a failed task in its
// kept worktree; `lockstep doctor` settles a task whose agent and supervisor are both gone; and the
// headless scenario (four tasks started by hand, one killed, one ending without a lease, then
// `lockstep run`) ends with the right statuses, no hang, and `--retry-failed` lands the killed one.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, ensureBuilt, runCli } from '../helpers/cli';
import { withSchedRepo, type SchedRepo } from '../fixtures/plans/schedulerRepo';

before(() => ensureBuilt());

type Listed = { id: string; status: string; state: { status: string; reason?: string }; worktree?: string; pid?: number };

function list(r: SchedRepo): Record<string, Listed> {
  const out = runCli(['task', 'list', '--json'], { cwd: r.repo.root });
  assert.equal(out.status, 0, out.stderr);
  return Object.fromEntries((JSON.parse(out.stdout).tasks as Listed[]).map((t) => [t.id, t]));
}

/** Polls `task list` (a fresh CLI each time, as a person would) until `ok` holds; fails naming what it saw. */
async function until(r: SchedRepo, ok: (t: Record<string, Listed>) => boolean, what: string, timeoutMs = 30_000): Promise<Record<string, Listed>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const t = list(r);
    if (ok(t)) return t;
    if (Date.now() > end) assert.fail(`${what}; tasks: ${JSON.stringify(Object.values(t).map((x) => [x.id, x.status, x.state]))}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

function start(r: SchedRepo, id: string): { pid: number; stdout: string } {
  const out = runCli(['task', 'start', id, '--json'], { cwd: r.repo.root });
  assert.equal(out.status, 0, out.stderr);
  const body = JSON.parse(out.stdout);
  return { pid: body.pid, stdout: out.stdout };
}

/** Waits until the simulated agent has said hello (its SessionStart hook ran), so a kill hits a working agent. */
async function untilWaiting(r: SchedRepo, id: string): Promise<void> {
  const marker = path.join(r.scratch, 'peers', id);
  const end = Date.now() + 20_000;
  while (!fs.existsSync(marker)) {
    assert.ok(Date.now() < end, `the agent of ${id} started`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

function parentOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** `lockstep run` as a real process, killed (and the test failed) if it does not end: a hang is the bug. */
function runToEnd(r: SchedRepo, args: string[], timeoutMs = 90_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', ...args], { cwd: r.repo.root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lockstep run did not end in ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('an agent killed (kill -9) or exiting non-zero after task start returned is failed, not finished; a new start retries it in its kept worktree', withSchedRepo(async (r) => {
  r.writePlan({
    tasks: [
      { id: 'crash', scope: ['src/a.ts'], sim: { waitFor: r.go('crash'), edits: [{ path: 'src/a.ts', content: 'crash\n' }], commit: 'crash' } },
      { id: 'bad', scope: ['docs/**'], sim: { edits: [{ path: 'docs/bad.md', content: 'bad\n' }], commit: 'bad', exitCode: 3 } },
    ],
  });
  const crash = start(r, 'crash');
  start(r, 'bad');
  await untilWaiting(r, 'crash');
  process.kill(crash.pid, 'SIGKILL');
  const t = await until(r, (x) => x.crash!.status !== 'running' && x.bad!.status !== 'running', 'both agents are noticed as ended');
  assert.deepEqual(t.crash!.state, { status: 'failed', reason: 'agent ended by SIGKILL' });
  assert.deepEqual(t.bad!.state, { status: 'failed', reason: 'agent exited with code 3' });
  const worktree = t.crash!.worktree!;
  fs.writeFileSync(path.join(worktree, 'notes.txt'), 'work in progress\n'); // work the retry must keep

  const again = runCli(['task', 'start', 'crash'], { cwd: r.repo.root });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /^ {2}retrying: it had failed \(agent ended by SIGKILL\); its branch and worktree are kept$/m);
  assert.match(again.stdout, /^ {2}reused the existing worktree /m);
  assert.equal(fs.readFileSync(path.join(worktree, 'notes.txt'), 'utf8'), 'work in progress\n');
  r.release('crash');
  const done = await until(r, (x) => x.crash!.status !== 'running', 'the retried agent is noticed as ended');
  assert.equal(done.crash!.status, 'finished');
  assert.equal(r.repo.git('log', '-1', '--format=%s', 'lockstep/crash'), 'crash');
}));

test('an agent that exits holding no lease is noticed; doctor names and settles a task whose agent and supervisor are gone', withSchedRepo(async (r) => {
  r.writePlan({
    tasks: [
      { id: 'look', readOnly: true, sim: {} },
      { id: 'idle', scope: ['src/b.ts'], sim: {} },
      { id: 'lost', scope: ['docs/**'], sim: { waitFor: r.go('lost'), edits: [{ path: 'docs/x.md', content: 'x\n' }], commit: 'lost' } },
    ],
  });
  start(r, 'look');
  start(r, 'idle');
  const t = await until(r, (x) => x.look!.status !== 'running' && x.idle!.status !== 'running', 'agents that held no lease are noticed as ended');
  assert.equal(t.look!.status, 'landed', 'a read-only task has nothing to land: finished is done');
  assert.equal(t.idle!.status, 'finished');

  const lost = start(r, 'lost');
  await untilWaiting(r, 'lost');
  process.kill(parentOf(lost.pid), 'SIGKILL'); // its supervisor, then the agent: nobody records how it ended
  process.kill(lost.pid, 'SIGKILL');
  const check = await (async () => {
    const end = Date.now() + 20_000;
    for (;;) {
      const out = runCli(['doctor', '--check-only'], { cwd: r.repo.root });
      if (out.status !== 0 || Date.now() > end) return out;
      await new Promise((res) => setTimeout(res, 100));
    }
  })();
  assert.equal(check.status, 1, check.stdout);
  // The agent process is named when its session recorded it (a hook call), else its supervisor is.
  assert.match(check.stdout, /^ {2}PROBLEM {2}running tasks: lost: agent ended without a status \(its (?:agent process|supervisor) \d+ is gone\)$/m);
  assert.equal(runCli(['doctor', '--check-only'], { cwd: r.repo.root }).status, 1, '--check-only changed nothing');
  const fixed = runCli(['doctor'], { cwd: r.repo.root });
  assert.match(fixed.stdout, /^ {2}ok {7}running tasks: 1 ended unheard\n {13}-> lost: failed \(agent ended without a status \(its (?:agent process|supervisor) \d+ is gone\)\)$/m);
  const settled = list(r).lost!.state as { status: string; reason: string };
  assert.equal(settled.status, 'failed');
  assert.match(settled.reason, new RegExp(`^agent ended without a status \\(its (agent process ${lost.pid}|supervisor \\d+) is gone\\)$`));
}));

test('headless: four tasks started by task start, one killed, one ending without a lease; lockstep run ends with the right statuses, and --retry-failed lands the killed one', withSchedRepo(async (r) => {
  r.writePlan({
    maxParallel: 4,
    tasks: [
      { id: 'api', scope: ['src/a.ts'], sim: { waitFor: r.go('api'), edits: [{ path: 'src/a.ts', content: 'api\n' }], commit: 'commit of api' } },
      { id: 'docs', scope: ['docs/**'], sim: { waitFor: r.go('docs'), edits: [{ path: 'docs/guide.md', content: 'guide\n' }], commit: 'commit of docs' } },
      { id: 'survey', readOnly: true, sim: {} },
      { id: 'web', scope: ['src/b.ts'], sim: { waitFor: r.go('web'), edits: [{ path: 'src/b.ts', content: 'web\n' }], commit: 'commit of web' } },
    ],
  });
  const pids = Object.fromEntries(['api', 'docs', 'survey', 'web'].map((id) => [id, start(r, id).pid]));
  await untilWaiting(r, 'docs');
  process.kill(pids.docs!, 'SIGKILL');
  const running = runToEnd(r, ['--json']);
  r.release('api');
  r.release('web');
  const out = await running;
  assert.equal(out.code, 1, out.stderr);
  const summary = JSON.parse(out.stdout);
  const status = Object.fromEntries(summary.tasks.map((t: { id: string; status: string }) => [t.id, t.status]));
  assert.deepEqual(status, { api: 'landed', docs: 'failed', survey: 'landed', web: 'landed' });
  const docs = summary.tasks.find((t: { id: string }) => t.id === 'docs');
  assert.deepEqual(docs.reasons, ['agent ended by SIGKILL']);
  assert.match(docs.next, /^see its log .*docs\.log; then lockstep run --retry-failed \(or lockstep task start docs\) to run its agent again in the same worktree, or lockstep task abandon docs$/);
  const log = r.repo.git('log', '--format=%s', 'main');
  assert.match(log, /^commit of api$/m);
  assert.match(log, /^commit of web$/m);
  assert.doesNotMatch(log, /^commit of docs$/m);
  assert.equal(r.repo.git('show', 'main:src/a.ts'), 'api');
  assert.equal(r.repo.git('show', 'main:src/b.ts'), 'web');
  assert.doesNotMatch(out.stderr, /MaxListenersExceededWarning/);

  // A second run retries the failed task only when asked, in its kept worktree.
  const plain = await runToEnd(r, []);
  assert.equal(plain.code, 1);
  assert.match(plain.stdout, /^ {2}docs: failed — agent ended by SIGKILL/m);
  assert.match(plain.stdout, /^ {6}next: see its log .*; then lockstep run --retry-failed/m);
  r.release('docs');
  const retried = await runToEnd(r, ['--retry-failed']);
  assert.equal(retried.code, 0, retried.stderr + retried.stdout);
  assert.match(retried.stderr, /^lockstep run: retrying docs \(agent ended by SIGKILL\)$/m);
  assert.match(retried.stdout, /^all 4 tasks landed$/m);
  assert.equal(r.repo.git('show', 'main:docs/guide.md'), 'guide');
}));
