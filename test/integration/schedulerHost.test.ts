// The scheduler inside the real coordinator server (node dist/server.js --stdio), driven over
// JSON-RPC like the extension: state, plan edits, validation, a task whose agent the client launches
// in a "terminal" (here: a child process of the test), its exit reported back, and change notifications.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo } from '../helpers/tempRepo';
import { makeSchedRepo, DIST } from '../fixtures/plans/schedulerRepo';
import { startServer } from './serverHarness';
import type { LaunchAgentTerminalParams, SchedulerState } from '../../src/protocol/schedulerMethods';

before(() => ensureBuilt());

test('the coordinator serves the scheduler: state, edits, validation, a terminal-launched agent, agentExited, schedulerChanged', async () => {
  const r = makeSchedRepo();
  r.writePlan({ tasks: [{ id: 'api', scope: ['src/**'], sim: { waitFor: r.go('api'), edits: [{ path: 'src/a.ts', content: 'api\n' }], commit: 'api' } }] });
  const server = await startServer({ root: r.repo.root });
  const conn = server.conn;
  const changes: SchedulerState[] = [];
  const waitForState = async (what: string, pred: (s: SchedulerState) => boolean, timeoutMs = 20_000) => {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const hit = changes.find(pred);
      if (hit) return hit;
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.fail(`no lockstep/schedulerChanged with ${what}; last: ${JSON.stringify(changes.at(-1)?.tasks.map((t) => [t.id, t.status]))}`);
  };
  conn.onNotification('lockstep/schedulerChanged', (s: SchedulerState) => void changes.push(s));
  const launches: LaunchAgentTerminalParams[] = [];
  conn.onRequest('lockstep/launchAgentTerminal', (p: LaunchAgentTerminalParams) => {
    launches.push(p);
    // What the extension does: a terminal running argv in cwd with the given variables.
    const child = spawn(p.argv[0]!, p.argv.slice(1), { cwd: p.cwd, env: { ...process.env, ...p.env }, stdio: 'ignore' });
    child.once('exit', (code) => void conn.sendNotification('lockstep/agentExited', { task: p.task, exitCode: code }));
    return { pid: child.pid };
  });
  try {
    const first = (await conn.sendRequest('lockstep/getSchedulerState', {})) as SchedulerState;
    assert.equal(first.plan.valid, true);
    assert.deepEqual(first.tasks.map((t) => [t.id, t.status]), [['api', 'ready']]);
    await waitForState('the initial state', (s) => s.tasks.length === 1);

    await assert.rejects(conn.sendRequest('lockstep/startTask', { id: 'Bad Id' }), (e: { code: number; message: string }) => e.code === -32602 && /^lockstep\/startTask: id: must match/.test(e.message));

    const added = (await conn.sendRequest('lockstep/addTask', { task: { id: 'docs', title: 'Docs', prompt: 'write docs', scope: ['docs/**'] } })) as { state: SchedulerState };
    assert.deepEqual(added.state.tasks.map((t) => t.id), ['api', 'docs']);
    const text = fs.readFileSync(path.join(r.repo.root, '.lockstep', 'plan.yaml'), 'utf8');
    assert.match(text, /id: docs/);
    assert.doesNotMatch(text, /readOnly/, 'fields left out are not written as defaults');
    const updated = (await conn.sendRequest('lockstep/updateTask', { id: 'docs', patch: { phase: 2 } })) as { state: SchedulerState };
    assert.match(updated.state.tasks[1]!.reasons[0]!, /^phase 2 opens when phase 1 has landed/);
    await assert.rejects(conn.sendRequest('lockstep/updateTask', { id: 'docs', patch: { dependsOn: ['ghost'] } }), (e: Error) => /unknown task 'ghost'/.test(e.message));
    const invalid = (await conn.sendRequest('lockstep/validatePlan', { text: 'tasks: 3\n' })) as { valid: boolean; issues: { text: string }[] };
    assert.equal(invalid.valid, false);
    assert.match(invalid.issues[0]!.text, /^\.lockstep\/plan\.yaml:1: tasks: /);

    const started = (await conn.sendRequest('lockstep/startTask', { id: 'api' })) as { task: { status: string; worktree: string }; pid: number };
    assert.equal(started.task.status, 'running');
    assert.equal(launches.length, 1);
    const launch = launches[0]!;
    assert.equal(launch.cwd, started.task.worktree);
    assert.equal(launch.env.LOCKSTEP_TASK, 'api');
    assert.equal(launch.env.LOCKSTEP_SESSION, 'claude:lockstep-api');
    assert.equal(launch.env.PATH!.split(path.delimiter)[0], DIST);
    assert.deepEqual(Object.keys(launch.env).filter((k) => !k.startsWith('LOCKSTEP_') && k !== 'PATH'), []);
    // A running task's scope is what its reservation holds: not editable under it.
    await assert.rejects(conn.sendRequest('lockstep/updateTask', { id: 'api', patch: { scope: ['docs/**'] } }), (e: Error) => e.message === "lockstep/updateTask: cannot change scope of 'api': it is running; stop or finish it first");
    assert.match(fs.readFileSync(path.join(r.repo.root, '.lockstep', 'plan.yaml'), 'utf8'), /src\/\*\*/);
    r.release('api');
    const res = await r.result('api');
    assert.deepEqual(res.allowed, ['src/a.ts']);
    await waitForState('api finished', (s) => s.tasks.find((t) => t.id === 'api')?.status === 'finished');

    // A hand edit of the plan file is noticed too.
    await conn.sendRequest('lockstep/removeTask', { id: 'docs' });
    const planFile = path.join(r.repo.root, '.lockstep', 'plan.yaml');
    fs.writeFileSync(planFile, fs.readFileSync(planFile, 'utf8').replace('maxParallel: 3', 'maxParallel: 5'));
    await waitForState('maxParallel 5', (s) => s.maxParallel === 5);
  } finally {
    await server.stop();
    await r.cleanup();
  }
});

test("Create a Plan: the coordinator writes the plan from a template, as the user's edit (not an unleased one); a second create changes nothing", async () => {
  const repo = makeTempRepo({ prefix: 'lockstep-create-plan-', files: { 'src/api/a.ts': 'a\n', 'src/ui/b.ts': 'b\n' } });
  const server = await startServer({ root: repo.root });
  const status = () => JSON.parse(runCli(['status', '--json'], { cwd: repo.root, env: { LOCKSTEP_SESSION: '' } }).stdout) as {
    unleased: Array<{ key: string }>;
    edits: Array<{ key: string; session: string; tool?: string }>;
  };
  try {
    const made = (await server.conn.sendRequest('lockstep/createPlan', { template: 'folders', target: 'main' })) as { file: string; state: SchedulerState };
    assert.equal(made.file, path.join(repo.root, '.lockstep', 'plan.yaml'));
    const text = fs.readFileSync(made.file, 'utf8');
    // The repository's source folders are filled in, one writer task each.
    assert.match(text, /- id: api\n[^]*scope: \["src\/api\/\*\*"\]/);
    assert.match(text, /- id: ui\n[^]*scope: \["src\/ui\/\*\*"\]/);
    assert.deepEqual(made.state.tasks.map((t) => t.id), ['api', 'ui', 'integrate']);
    const after = status();
    assert.deepEqual(after.unleased.map((u) => u.key), [], 'the plan Lockstep wrote counts as an unleased edit');
    assert.ok(after.edits.some((e) => e.key === '.lockstep/plan.yaml' && e.tool === 'lockstep' && e.session.startsWith('vscode:')), JSON.stringify(after.edits));

    // A plan exists: refused, in one line naming the request, and the file is left as it was.
    fs.appendFileSync(made.file, '# mine\n');
    await assert.rejects(server.conn.sendRequest('lockstep/createPlan', { template: 'blank' }), (e: Error) => e.message === 'lockstep/createPlan: .lockstep/plan.yaml already exists; nothing was written');
    assert.equal(fs.readFileSync(made.file, 'utf8'), `${text}# mine\n`);
    // Bad input: an unknown template or a target with shell characters changes nothing either.
    await assert.rejects(server.conn.sendRequest('lockstep/createPlan', { template: 'nope' }), (e: Error) => /^lockstep\/createPlan: template: /.test(e.message));
    await assert.rejects(server.conn.sendRequest('lockstep/createPlan', { template: 'blank', target: 'main; rm -rf ~' }), (e: Error) => /^lockstep\/createPlan: target: must be a branch name/.test(e.message));
    // Edited by hand afterwards, the change is the user's own again: an unleased edit.
    assert.deepEqual(status().unleased.map((u) => u.key), ['.lockstep/plan.yaml']);
  } finally {
    await server.stop();
    repo.cleanup();
  }
});
