// The scheduler never loses or hides the user's work: a read-only task leaves the main checkout's
// tracked files alone (no skip-worktree), a running task's scope/readOnly/agent cannot be edited under
// it, and a task whose worktree has uncommitted changes does not land without them.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBuilt, runCli } from '../helpers/cli';
import { untilStatus, withSchedRepo, SIM_AGENT, type SchedRepo } from '../fixtures/plans/schedulerRepo';
import { updateTask } from '../../src/core/planFile';
import type { TaskSpecInput } from '../../src/core/plan';

before(() => ensureBuilt());

const withRepo = withSchedRepo;
const until = untilStatus;

const SETTINGS = {
  '.claude/settings.local.json': '{ "permissions": { "allow": ["Bash(ls)"] } }\n',
  '.gemini/settings.json': '{ "theme": "dark" }\n',
};

test('a read-only task never marks or changes a tracked hook file of the main checkout; the note says how to get hooks', withRepo(async (r) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-home-'));
  const savedHome = process.env.HOME;
  process.env.HOME = home; // no user-level hooks
  try {
    r.writePlan({
      agents: { claude: [process.execPath, SIM_AGENT, '{promptFile}'], gemini: [process.execPath, SIM_AGENT, '{promptFile}'] },
      tasks: [
        { id: 'review', readOnly: true, sim: {} },
        { id: 'audit', readOnly: true, sim: {} },
      ],
    });
    const planFile = path.join(r.repo.root, '.lockstep', 'plan.yaml');
    fs.writeFileSync(planFile, updateTask(fs.readFileSync(planFile, 'utf8'), 'audit', { agent: 'gemini' }));
    r.repo.commitAll('gemini audits');

    const s = r.scheduler();
    const review = await s.start('review');
    assert.match(review.notes.join('\n'), /\.claude\/settings\.local\.json is tracked in this checkout, so Lockstep left it as it is: claude's hooks must be installed for the read-only rule to be enforced; install them with `lockstep hooks install --agent claude --scope user`/);
    const audit = await s.start('audit');
    assert.match(audit.notes.join('\n'), /\.gemini\/settings\.json is tracked in this checkout, so Lockstep left it as it is: gemini's hooks must be installed .*--agent gemini --scope user/);
    await until(s, 'review', 'landed');
    await until(s, 'audit', 'landed');

    assert.equal(r.repo.git('status', '--porcelain'), '', 'the main checkout stays clean');
    const skipWorktree = r.repo.git('ls-files', '-v').split('\n').filter((l) => l.startsWith('S '));
    assert.deepEqual(skipWorktree, [], 'no file is marked skip-worktree');
    for (const [rel, text] of Object.entries(SETTINGS)) assert.equal(fs.readFileSync(path.join(r.repo.root, rel), 'utf8'), text, `${rel} unchanged`);
    // The user's own later edit of that file shows in git status as usual.
    fs.appendFileSync(path.join(r.repo.root, '.gemini', 'settings.json'), '\n');
    assert.equal(r.repo.git('status', '--porcelain'), 'M .gemini/settings.json');
  } finally {
    process.env.HOME = savedHome;
    fs.rmSync(home, { recursive: true, force: true });
  }
}, { files: { 'README.md': '# sample\n', 'src/a.ts': 'export const a = 1;\n', ...SETTINGS } }));

test("committed mcp_tool hooks: a Claude task's worktree gets the MCP server's pre-approval, hidden from git, and goes when the task lands", withRepo(async (r) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-home-'));
  const savedHome = process.env.HOME;
  process.env.HOME = home; // Claude Code's answers about MCP servers are read from here too: none
  try {
    const install = runCli(['hooks', 'install', '--agent', 'claude', '--transport', 'mcp'], { cwd: r.repo.root, env: { HOME: home } });
    assert.equal(install.status, 0, install.stderr);
    // What a clone of the repository has: the committed hooks and .mcp.json, not the installer's local settings.
    fs.rmSync(path.join(r.repo.root, '.claude', 'settings.local.json'));
    r.writePlan({ tasks: [{ id: 'w', scope: ['src/**'], sim: { edits: [{ path: 'src/a.ts', content: 'edited\n' }], commit: 'w' } }] }); // commits the hooks too
    const s = r.scheduler();
    const started = await s.start('w');
    const wt = started.task.worktree!;
    assert.match(started.notes.join('\n'), /hooks already in \.claude\/settings\.json; pre-approved the lockstep MCP server in \.claude\/settings\.local\.json/);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(wt, '.claude', 'settings.local.json'), 'utf8')), { enabledMcpjsonServers: ['lockstep'] });
    await until(s, 'w', 'finished');
    assert.equal(r.repo.git('-C', wt, 'status', '--porcelain'), '', 'the approval is not work of the task');
    const landed = await s.land(['w']);
    assert.equal(landed.ok, true, landed.message);
    assert.equal(fs.existsSync(wt), false, 'the worktree went, with the approval Lockstep put there');
    assert.equal(fs.existsSync(path.join(r.repo.root, '.claude', 'settings.local.json')), false, "the main checkout's files untouched");
  } finally {
    process.env.HOME = savedHome;
    fs.rmSync(home, { recursive: true, force: true });
  }
}));

test("a running task's scope, readOnly and agent cannot be changed; other fields can; once finished, all can", withRepo(async (r) => {
  r.writePlan({ tasks: [{ id: 'api', scope: ['src/**'], sim: { waitFor: r.go('api') } }] });
  const planFile = path.join(r.repo.root, '.lockstep', 'plan.yaml');
  const s = r.scheduler();
  await s.start('api');
  const before = fs.readFileSync(planFile, 'utf8');
  const edits: [Partial<TaskSpecInput>, string][] = [[{ scope: ['docs/**'] }, 'scope'], [{ readOnly: true }, 'readOnly'], [{ agent: 'codex' }, 'agent']];
  for (const [patch, field] of edits) {
    assert.throws(() => s.updateTask('api', patch), (e: Error) => e.message === `cannot change ${field} of 'api': it is running; stop or finish it first`);
    assert.equal(fs.readFileSync(planFile, 'utf8'), before, 'the plan is unchanged');
  }
  assert.deepEqual(s.store.read().reservations.api!.globs, ['src/**'], 'the reservation still matches the plan');
  s.updateTask('api', { scope: ['src/**'], title: 'The API' }); // same scope, new title
  assert.equal((await s.list()).tasks[0]!.title, 'The API');
  r.release('api');
  await until(s, 'api', 'finished');
  s.updateTask('api', { scope: ['docs/**'] });
  assert.deepEqual((await s.list()).tasks[0]!.scope, ['docs/**']);
}));

test('a task whose worktree has uncommitted changes is refused landing, naming up to 5 files; lands once they are gone', withRepo(async (r) => {
  r.writePlan({ tasks: [{ id: 'w', scope: ['src/**'], sim: { edits: [{ path: 'src/a.ts', content: 'committed\n' }], commit: 'w' } }] });
  const s = r.scheduler();
  const started = await s.start('w');
  await until(s, 'w', 'finished');
  const wt = started.task.worktree!;
  fs.writeFileSync(path.join(wt, 'src', 'b.ts'), 'not committed\n');
  for (const n of [1, 2, 3, 4, 5]) fs.writeFileSync(path.join(wt, `note${n}.txt`), 'untracked\n');
  const tip = r.repo.git('rev-parse', 'main');
  await assert.rejects(s.land(['w']), (e: Error) => {
    assert.equal(e.message.split('\n').length, 1);
    assert.match(e.message, new RegExp(`^cannot land 'w': its worktree ${wt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} has uncommitted changes \\(([^,]+, ){4}[^,]+ and 1 more\\); commit them there on lockstep/w, or discard them \\(git restore / git clean\\), then land again$`));
    assert.match(e.message, /src\/b\.ts/);
    return true;
  });
  assert.equal(r.repo.git('rev-parse', 'main'), tip, 'the target is untouched');
  assert.equal((await s.list()).tasks[0]!.status, 'finished');
  assert.equal(fs.readFileSync(path.join(wt, 'src', 'b.ts'), 'utf8'), 'not committed\n', 'nothing lost');

  r.repo.git('-C', wt, 'restore', 'src/b.ts');
  for (const n of [1, 2, 3, 4, 5]) fs.rmSync(path.join(wt, `note${n}.txt`));
  const landed = await s.land(['w']);
  assert.equal(landed.ok, true, landed.message);
  assert.equal(r.repo.git('show', 'main:src/a.ts'), 'committed');
  assert.equal(fs.existsSync(wt), false, 'the clean worktree was removed');
}));
