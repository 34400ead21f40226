// Scheduler pieces without processes: launch templates, hook dialects, the protocol's schemas, the
// run summary, program lookup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentTemplateError, agentDialect, agentTemplate, expandTemplate } from '../../src/scheduler/agentTemplates';
import { findProgram } from '../../src/scheduler/childProcessLauncher';
import { formatRunSummary, nextStep, type RunSummary } from '../../src/scheduler/planRunner';
import { AddTaskParams, LaunchAgentTerminalParams, schedulerRequests, TaskPatch, UpdateTaskParams } from '../../src/protocol/schedulerMethods';
import { parsePlan } from '../../src/core/planFile';
import { taskSessionId } from '../../src/scheduler/scheduler';

const plan = parsePlan(
  ['agents:', '  sim: [node, sim.mjs, "{promptFile}"]', '  claude: [claude, --model, opus, "{prompt}"]', 'tasks:', '  - {id: a, title: A, prompt: p, scope: [x]}'].join('\n'),
);

test('the prompt replaces {prompt} as one argument, whatever it contains', () => {
  const prompt = 'fix "it"; rm -rf / && echo $(id) `id` | tee x\nsecond line';
  assert.deepEqual(expandTemplate(['claude', '-p', '{prompt}'], { prompt, promptFile: '/p' }), ['claude', '-p', prompt]);
  assert.deepEqual(expandTemplate(['sim', '{promptFile}', 'x{prompt}'], { prompt, promptFile: '/tmp/a b/p.md' }), ['sim', '/tmp/a b/p.md', 'x{prompt}']);
  assert.throws(() => expandTemplate(['claude', 'x{prompt}'], { prompt, promptFile: '/p' }), AgentTemplateError);
});

test("templates: the plan's agents first, then the built-ins per launch mode; unknown agents are refused", () => {
  assert.deepEqual(agentTemplate(plan, { id: 'a', agent: undefined }, 'headless'), ['claude', '--model', 'opus', '{prompt}']);
  assert.deepEqual(agentTemplate(plan, { id: 'a', agent: 'codex' }, 'headless'), ['codex', 'exec', '--sandbox', 'workspace-write', '--', '{prompt}']);
  assert.deepEqual(agentTemplate(plan, { id: 'a', agent: 'codex' }, 'terminal'), ['codex', '--', '{prompt}']);
  assert.deepEqual(agentTemplate(plan, { id: 'a', agent: 'sim' }, 'terminal'), ['node', 'sim.mjs', '{promptFile}']);
  assert.throws(() => agentTemplate(plan, { id: 'a', agent: 'windsurf' }, 'headless'), /task 'a': agent 'windsurf' has no launch template; add one under agents:/);
});

test('hook dialect: the agent name, else the program name, else none', () => {
  assert.equal(agentDialect('codex', ['x']), 'codex');
  assert.equal(agentDialect('mine', ['/usr/local/bin/gemini', '{prompt}']), 'gemini');
  assert.equal(agentDialect('sim', ['node', 'sim.mjs']), undefined);
  assert.equal(agentDialect('human', ['human']), undefined);
  assert.equal(taskSessionId('claude', 'api'), 'claude:lockstep-api');
});

test('findProgram: PATH lookup and paths relative to the cwd, executables only', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-prog-'));
  try {
    fs.writeFileSync(path.join(dir, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'plain'), 'x', { mode: 0o644 });
    assert.equal(findProgram('tool', `/nonexistent${path.delimiter}${dir}`, '/'), path.join(dir, 'tool'));
    assert.equal(findProgram('plain', dir, '/'), undefined);
    assert.equal(findProgram('./tool', '', dir), path.join(dir, 'tool'));
    assert.equal(findProgram('missing', dir, '/'), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('protocol: every request has an example its own schema accepts; bad params name the field', () => {
  for (const [name, spec] of Object.entries(schedulerRequests)) {
    assert.ok(spec.params.safeParse(spec.example).success, `${name} example`);
    assert.match(spec.type.method, /^lockstep\//);
  }
  const bad = schedulerRequests.startTask.params.safeParse({ id: '../x' });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error?.issues[0]?.path, ['id']);
  assert.equal(AddTaskParams.safeParse({ task: { id: 'a', title: 'A', prompt: 'p', scope: ['!x'] } }).success, false);
  assert.equal(AddTaskParams.safeParse({ task: { id: 'a', title: 'A', prompt: 'p', extra: 1 } }).success, false);
  assert.deepEqual(TaskPatch.parse({ agent: null, phase: 2 }), { agent: null, phase: 2 });
  assert.equal(TaskPatch.safeParse({}).success, false);
  assert.equal(UpdateTaskParams.safeParse({ id: 'a', patch: { scope: ['src/**'] } }).success, true);
  assert.equal(LaunchAgentTerminalParams.safeParse({ task: 'a', cwd: '/w', argv: [], env: {} }).success, false);
});

test('the run summary names why each task did not land', () => {
  const s: RunSummary = {
    ok: false,
    tasks: [
      { id: 'a', status: 'landed', reasons: [] },
      { id: 'b', status: 'failed', reasons: ['agent exited with code 3'], worktree: '/w/b' },
      { id: 'c', status: 'queued', reasons: ["depends on 'b' (failed)"] },
    ],
    landed: ['a'],
    notLanded: ['b', 'c'],
    issues: [],
    events: [],
  };
  assert.equal(formatRunSummary(s), ['1 of 3 tasks landed', '  a: landed', '  b: failed — agent exited with code 3 (worktree /w/b)', "  c: queued — depends on 'b' (failed)"].join('\n'));
  assert.equal(formatRunSummary({ ...s, issues: ['.lockstep/plan.yaml:3: tasks: bad'] }), 'the plan is invalid; nothing was started:\n  .lockstep/plan.yaml:3: tasks: bad');
});

test('the run summary says what to do next about each failed or conflicted task', () => {
  const base = { branch: 'lockstep/b', worktree: '/w/b', logFile: '/s/logs/b.log', readOnly: false };
  assert.equal(
    nextStep({ ...base, id: 'b', status: 'failed', state: { status: 'failed', reason: 'agent ended by SIGKILL' } }, 'main'),
    'see its log /s/logs/b.log; then lockstep run --retry-failed (or lockstep task start b) to run its agent again in the same worktree, or lockstep task abandon b',
  );
  assert.equal(
    nextStep({ ...base, id: 'b', status: 'failed', state: { status: 'failed', reason: 'verify failed (exit 3): boom' } }, 'main'),
    'see lockstep check-output b, fix it on lockstep/b in /w/b, commit, then lockstep land b',
  );
  assert.equal(
    nextStep({ ...base, id: 'b', status: 'conflicted', state: { status: 'conflicted', paths: ['src/a.ts'] } }, 'main'),
    'merge main into lockstep/b in /w/b, resolve src/a.ts, commit, then lockstep land b',
  );
  assert.equal(nextStep({ ...base, id: 'b', status: 'queued', state: { status: 'queued' } }, 'main'), undefined);
  const s: RunSummary = { ok: false, tasks: [{ id: 'b', status: 'failed', reasons: ['agent ended by SIGKILL'], next: 'lockstep task start b' }], landed: [], notLanded: ['b'], issues: [], events: [] };
  assert.equal(formatRunSummary(s), ['0 of 1 tasks landed', '  b: failed — agent ended by SIGKILL', '      next: lockstep task start b'].join('\n'));
});
