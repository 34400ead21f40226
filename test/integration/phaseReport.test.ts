// The lead's report at a phase boundary, end to end through the real CLI and real git: a lead session
// adds and starts tasks (`lockstep task add --start` with LOCKSTEP_SESSION), simulated agents edit and
// commit on their branches, decisions are logged, one task is abandoned and taken out of the plan, and
// `lockstep land` lands the rest: the lead's mailbox then holds one report (landed tasks with their
// commits and branches, the abandoned one, the phase's decisions, capped) that its hook delivers once.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { removeTask } from '../../src/core/planFile';
import { claudeToolPayload } from '../fixtures/hookPayloads';
import { makeSchedRepo, type SchedRepo } from '../fixtures/plans/schedulerRepo';
import { ensureBuilt, runCli } from '../helpers/cli';

before(() => ensureBuilt());

const LEAD = 'claude:lead-5e1a';
const CLEAN = { LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '', LOCKSTEP_AGENT_PID: '' };

function lockstep(r: SchedRepo, args: string[], env: NodeJS.ProcessEnv = {}) {
  const out = runCli(args, { cwd: r.repo.root, env: { ...CLEAN, ...env } });
  assert.equal(out.status, 0, `lockstep ${args.join(' ')}: ${out.stderr}${out.stdout}`);
  return out.stdout;
}

/** `lockstep task add … --start` as the lead, the simulated agent told to write `file` and commit. */
function addAsLead(r: SchedRepo, id: string, phase: number, file: string, start: boolean) {
  const prompt = JSON.stringify({ edits: [{ path: file, content: `${id}\n` }], commit: `${id}: ${file}`, result: path.join(r.scratch, `${id}.json`) });
  const args = ['task', 'add', id, '--title', `Task ${id}`, '--prompt', prompt, '--scope', file, '--phase', String(phase), '--json'];
  return JSON.parse(lockstep(r, start ? [...args, '--start'] : args, { LOCKSTEP_SESSION: LEAD }));
}

async function untilFinished(r: SchedRepo, ids: string[]) {
  const end = Date.now() + 60_000;
  for (;;) {
    const list = JSON.parse(lockstep(r, ['task', 'list', '--json'])) as { tasks: { id: string; status: string }[] };
    const statuses = ids.map((id) => list.tasks.find((t) => t.id === id)?.status);
    if (statuses.every((s) => s === 'finished')) return;
    if (Date.now() > end) assert.fail(`tasks ${ids.join(', ')} are ${statuses.join(', ')}, expected finished`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

test('when the last task of a phase lands, the lead gets the landed commits, the abandoned task and the phase decisions, once', async () => {
  const r = makeSchedRepo({ files: { 'README.md': '# r\n', 'src/api.ts': 'a\n', 'src/ui.ts': 'u\n', 'docs/x.md': 'x\n' } });
  try {
    // A hand-written phase 2 (no lead); the lead fans phase 1 out through Lockstep.
    r.writePlan({ tasks: [{ id: 'docs', phase: 2, scope: ['docs/**'] }] });
    lockstep(r, ['note', 'Decided before the phase: not in its report'], { LOCKSTEP_SESSION: 'human:ann' });
    await new Promise((res) => setTimeout(res, 20)); // the phase opens strictly later
    assert.equal(addAsLead(r, 'api', 1, 'src/api.ts', true).status, 'started');
    assert.equal(addAsLead(r, 'ui', 1, 'src/ui.ts', true).status, 'started');
    addAsLead(r, 'spike', 1, 'src/spike.ts', false);
    lockstep(r, ['note', 'Dates are ISO 8601 strings', '--task', 'api'], { LOCKSTEP_SESSION: 'claude:api-agent' });
    for (let i = 1; i <= 30; i++) lockstep(r, ['note', `Decision ${i}: ${'detail '.repeat(12)}`, '--task', 'ui']);
    await untilFinished(r, ['api', 'ui']);

    // The spike is given up and taken out of the plan (as Remove Task in VS Code does).
    lockstep(r, ['task', 'abandon', 'spike']);
    const planFile = path.join(r.repo.root, '.lockstep/plan.yaml');
    fs.writeFileSync(planFile, removeTask(fs.readFileSync(planFile, 'utf8'), 'spike'));
    assert.deepEqual(JSON.parse(lockstep(r, ['inbox', '--session', LEAD, '--json'])).messages, [], 'no report before the phase is done');

    const landed = JSON.parse(lockstep(r, ['land', 'api', 'ui', '--json']));
    assert.deepEqual([...landed.landed].sort(), ['api', 'ui'], landed.message);

    // Someone else looking only peeks; the report waits for the lead.
    const peek = JSON.parse(lockstep(r, ['inbox', '--session', LEAD, '--json'])) as { peek: boolean; messages: { from: string; text: string }[] };
    assert.equal(peek.peek, true);
    assert.equal(peek.messages.length, 1, JSON.stringify(peek.messages));
    const report = peek.messages[0]!;
    assert.equal(report.from, 'lockstep:scheduler');
    assert.match(report.text, /^Lockstep: phase 1 is done \(every task landed on main\); phase 2 opens \(docs\)\./);
    for (const id of ['api', 'ui']) {
      const m = new RegExp(`- ${id}: landed as ([0-9a-f]{12}) from lockstep/${id}`).exec(report.text);
      assert.ok(m, `${id}'s landing in:\n${report.text}`);
      assert.equal(r.repo.git('merge-base', '--is-ancestor', m[1]!, 'main'), '', `${m[1]} is on main`);
    }
    assert.match(report.text, /Failed or abandoned \(no longer in the plan\):\n- spike: abandoned/);
    assert.match(report.text, /Decisions logged during phase 1:\n- #2 claude:api-agent \(task api\): Dates are ISO 8601 strings\n- #3 /);
    assert.doesNotMatch(report.text, /Decided before the phase/);
    const more = /… (\d+) more: lockstep log --since (\d+)$/.exec(report.text);
    assert.ok(more, `the decisions are capped:\n${report.text}`);
    assert.equal(Number(more[1]) + Number(more[2]), 32, 'the rest are named by number');
    assert.ok(Buffer.byteLength(report.text) <= 4000);

    // Later scheduler changes do not send it again; the lead's own hook delivers it once.
    lockstep(r, ['task', 'list']);
    const hook = (n: number) => {
      const out = runCli(['hook'], { cwd: r.repo.root, input: JSON.stringify(claudeToolPayload('PostToolUse', 'lead-5e1a', r.repo.root, path.join(r.repo.root, 'README.md'))), env: CLEAN });
      assert.equal(out.status, 0, out.stderr);
      return (out.stdout.trim() ? JSON.parse(out.stdout).hookSpecificOutput?.additionalContext ?? '' : '').split('phase 1 is done').length - 1 === n;
    };
    assert.ok(hook(1), "the lead's next hook event carries the report");
    lockstep(r, ['task', 'list']);
    assert.ok(hook(0), 'once');
  } finally {
    await r.cleanup();
  }
});
