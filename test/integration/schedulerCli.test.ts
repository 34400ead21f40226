// The scheduler's headless CLI, run as real processes: `lockstep plan validate`, `lockstep run`,
// `lockstep task list|start|abandon`. Agents are the simulated agent (simAgent.mjs).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, ensureBuilt, runCli } from '../helpers/cli';
import { makeSchedRepo, type SchedRepo } from '../fixtures/plans/schedulerRepo';

before(() => ensureBuilt());

function withRepo(fn: (r: SchedRepo) => Promise<void>) {
  return async () => {
    const r = makeSchedRepo();
    try {
      await fn(r);
    } finally {
      await r.cleanup();
    }
  };
}

/** Runs the CLI without blocking the event loop (simulated agents run meanwhile). */
function runCliAsync(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('plan validate: exit 0 when valid, else one error per line with file:line: field', withRepo(async (r) => {
  r.repo.write(
    '.lockstep/plan.yaml',
    [
      'target: main', // 1
      'maxParalel: 2', // 2
      'tasks:', // 3
      '  - id: api', // 4
      '    title: API', // 5
      '    prompt: do it', // 6
      '    scope: [src/**]', // 7
      '  - id: ui', // 8
      '    title: UI', // 9
      '    prompt: do it', // 10
      '    dependsOn: [nope]', // 11
      '',
    ].join('\n'),
  );
  const bad = runCli(['plan', 'validate'], { cwd: path.join(r.repo.root, 'src') });
  assert.equal(bad.status, 1);
  assert.equal(bad.stdout, '');
  assert.deepEqual(bad.stderr.trim().split('\n'), [
    '.lockstep/plan.yaml:2: maxParalel: unknown field (did you mean maxParallel?)',
  ]);
  r.repo.write('.lockstep/plan.yaml', fs.readFileSync(path.join(r.repo.root, '.lockstep/plan.yaml'), 'utf8').replace('maxParalel', 'maxParallel'));
  const rules = runCli(['plan', 'validate', '--json'], { cwd: r.repo.root });
  assert.equal(rules.status, 1);
  const json = JSON.parse(rules.stdout);
  assert.equal(json.valid, false);
  assert.deepEqual(json.issues.map((i: { text: string }) => i.text), [
    ".lockstep/plan.yaml:8: tasks[1].scope: a write task needs at least one glob (or set readOnly: true)",
    ".lockstep/plan.yaml:11: tasks[1].dependsOn[0]: unknown task 'nope'",
  ]);
  r.writePlan({ tasks: [{ id: 'a', scope: ['src/**'] }, { id: 'b', phase: 2, scope: ['docs/**'] }] }, { commit: false });
  const ok = runCli(['plan', 'validate'], { cwd: r.repo.root });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, '.lockstep/plan.yaml: valid (2 tasks in 2 phases)\n');
  const missing = runCli(['plan', 'validate', '--file', 'nope.yaml'], { cwd: r.repo.root });
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr, 'nope.yaml: no such file\n');
}));

test('lockstep run executes a 4-task, 2-phase plan to completion; the target has every task commit', withRepo(async (r) => {
  r.writePlan({
    maxParallel: 2,
    verify: [process.execPath, '-e', "require('fs').accessSync('src/a.ts')"],
    tasks: [
      { id: 'api', scope: ['src/a.ts'], sim: { edits: [{ path: 'src/a.ts', content: 'api\n' }], commit: 'commit of api' } },
      { id: 'docs', scope: ['docs/**'], sim: { edits: [{ path: 'docs/guide.md', content: 'guide\n' }], commit: 'commit of docs' } },
      { id: 'client', phase: 2, scope: ['src/b.ts'], dependsOn: ['api'], sim: { edits: [{ path: 'src/b.ts', content: 'client uses api\n' }], commit: 'commit of client' } },
      { id: 'tests', phase: 2, scope: ['test/**'], sim: { edits: [{ path: 'test/api.test.ts', content: 'test\n' }], commit: 'commit of tests' } },
    ],
  });
  const out = await runCliAsync(['run', '--json'], r.repo.root);
  assert.equal(out.code, 0, out.stderr + out.stdout);
  const summary = JSON.parse(out.stdout);
  assert.equal(summary.ok, true);
  assert.deepEqual(summary.landed, ['api', 'docs', 'client', 'tests']);
  const log = r.repo.git('log', '--format=%s', 'main');
  for (const id of ['api', 'docs', 'client', 'tests']) assert.match(log, new RegExp(`^commit of ${id}$`, 'm'));
  // phase 2 branched after phase 1 landed
  const client = await r.result('client');
  assert.equal(fs.readFileSync(path.join(r.repo.root, 'src', 'a.ts'), 'utf8'), 'api\n');
  assert.ok(client.committed);
  assert.match(out.stderr, /lockstep run: api started/);
  assert.match(out.stderr, /lockstep run: landed client on main/);
  // landed worktrees and branches are cleaned up; the main checkout was fast-forwarded and is clean
  assert.equal(r.repo.git('branch', '--list', 'lockstep/*'), '');
  assert.equal(r.repo.git('status', '--porcelain'), '');
  assert.equal(r.repo.git('show', 'main:test/api.test.ts'), 'test');
}));

test('lockstep run: a failed task stops its dependants; the run ends non-zero with a summary', withRepo(async (r) => {
  r.writePlan({
    tasks: [
      { id: 'base', scope: ['src/a.ts'], sim: { edits: [{ path: 'src/a.ts', content: 'x\n' }], commit: 'base', exitCode: 3 } },
      { id: 'other', scope: ['docs/**'], sim: { edits: [{ path: 'docs/o.md', content: 'o\n' }], commit: 'other' } },
      { id: 'after', scope: ['src/b.ts'], dependsOn: ['base'], sim: { edits: [{ path: 'src/b.ts', content: 'y\n' }], commit: 'after' } },
    ],
  });
  const out = await runCliAsync(['run', '--max-parallel', '1'], r.repo.root);
  assert.equal(out.code, 1, out.stderr);
  assert.match(out.stdout, /^1 of 3 tasks landed$/m);
  assert.match(out.stdout, /^ {2}base: failed — agent exited with code 3 \(worktree .*base\)$/m);
  assert.match(out.stdout, /^ {2}other: landed$/m);
  assert.match(out.stdout, /^ {2}after: queued — depends on 'base' \(failed\)$/m);
  assert.equal(fs.existsSync(path.join(r.scratch, 'after.json')), false, 'the dependant never started');
  const bad = runCli(['run', '--max-parallel', '0'], { cwd: r.repo.root });
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr, "lockstep: --max-parallel '0': expected a whole number from 1 to 256\n");
}));

test('task list/start/abandon from the CLI; a detached agent that exits is noticed as finished', withRepo(async (r) => {
  r.writePlan({
    tasks: [
      { id: 'solo', scope: ['src/**'], sim: { edits: [{ path: 'src/a.ts', content: 'solo\n' }], commit: 'solo' } },
      { id: 'late', phase: 2, scope: ['docs/**'] },
    ],
  });
  const list = runCli(['task', 'list', '--json'], { cwd: r.repo.root });
  assert.equal(list.status, 0, list.stderr);
  const state = JSON.parse(list.stdout);
  assert.deepEqual(state.tasks.map((t: { id: string; status: string }) => [t.id, t.status]), [['solo', 'ready'], ['late', 'queued']]);
  const refused = runCli(['task', 'start', 'late'], { cwd: r.repo.root });
  assert.equal(refused.status, 3);
  assert.equal(refused.stderr, "lockstep: cannot start 'late': phase 2 opens when phase 1 has landed (solo is queued)\n");
  const unknown = runCli(['task', 'start', 'Bad Id'], { cwd: r.repo.root });
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /^lockstep: task id "Bad Id": must match/);

  const started = runCli(['task', 'start', 'solo', '--json'], { cwd: r.repo.root });
  assert.equal(started.status, 0, started.stderr);
  const s = JSON.parse(started.stdout);
  assert.equal(s.task.status, 'running');
  assert.ok(s.pid);
  await r.result('solo');
  // The CLI that launched it is gone; the next command sees the agent's session end.
  let status = '';
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    status = JSON.parse(runCli(['task', 'list', '--json'], { cwd: r.repo.root }).stdout).tasks[0].status;
    if (status === 'finished') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(status, 'finished');
  assert.match(fs.readFileSync(s.logFile, 'utf8'), /lockstep: task solo: \[.*simAgent\.mjs/);
  const text = runCli(['task', 'list'], { cwd: r.repo.root }).stdout;
  assert.match(text, /^ {2}solo +finished +claude +lockstep\/solo/m);
  const abandon = runCli(['task', 'abandon', 'solo'], { cwd: r.repo.root });
  assert.equal(abandon.status, 0, abandon.stderr);
  assert.match(abandon.stdout, /^abandoned 'solo': removed worktree .*; kept branch lockstep\/solo: it has 1 commit\(s\) not merged into main$/m);
}));
