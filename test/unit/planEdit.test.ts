import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlanError, addTask, parsePlan, removeTask, setPhases, updateTask } from '../../src/core/planFile';

// The documented example (same as plan.test.ts).
const SAMPLE = `# Lockstep plan for the auth work
target: main
maxParallel: 3
verify: npm test            # run after merging
worktreesRoot: ../repo-worktrees   # default: a sibling folder
autoRun: false
agents:
  claude: ["claude", "--permission-mode", "acceptEdits", "{prompt}"]
setup: [["npm", "ci"]]      # commands run in each new worktree

tasks:
  # first we look around
  - id: survey
    title: Map the auth module
    readOnly: true
    phase: 1
    prompt: Read src/auth and write down how sessions are stored.
  - id: api
    title: Token refresh endpoint
    agent: claude
    phase: 2
    scope: ["src/api/**"]
    dependsOn: [survey]   # needs the survey
    prompt: |
      Add a refresh endpoint.
      Keep it small.
`;

/** Lines of `after` that are not in `before` and vice versa (multiset difference, order ignored). */
function lineDiff(before: string, after: string): { added: string[]; removed: string[] } {
  const count = (t: string) => {
    const m = new Map<string, number>();
    for (const l of t.split('\n')) m.set(l, (m.get(l) ?? 0) + 1);
    return m;
  };
  const b = count(before);
  const a = count(after);
  const added: string[] = [];
  const removed: string[] = [];
  for (const [l, n] of a) for (let i = 0; i < n - (b.get(l) ?? 0); i++) added.push(l);
  for (const [l, n] of b) for (let i = 0; i < n - (a.get(l) ?? 0); i++) removed.push(l);
  return { added, removed };
}

describe('plan editing', () => {
  it('addTask appends a task and keeps every other line byte-for-byte', () => {
    const out = addTask(SAMPLE, { id: 'web', title: 'Web client', prompt: 'Call the refresh endpoint.', scope: ['src/web/**'], dependsOn: ['api'], phase: 2 });
    assert.ok(out.startsWith(SAMPLE.trimEnd()), 'the existing text is a prefix of the result');
    assert.deepEqual(lineDiff(SAMPLE, out).removed, []);
    assert.equal(
      out.slice(SAMPLE.trimEnd().length),
      `\n  - id: web\n    title: Web client\n    phase: 2\n    scope: [src/web/**]\n    dependsOn: [api]\n    prompt: Call the refresh endpoint.\n`,
    );
    const plan = parsePlan(out);
    assert.deepEqual(
      plan.tasks.map((t) => t.id),
      ['survey', 'api', 'web'],
    );
  });

  it('addTask can insert after a given task and writes a multi-line prompt as a block', () => {
    const out = addTask(SAMPLE, { id: 'notes', title: 'Notes', prompt: 'line one\nline two', readOnly: true }, { after: 'survey' });
    assert.deepEqual(
      parsePlan(out).tasks.map((t) => t.id),
      ['survey', 'notes', 'api'],
    );
    assert.equal(parsePlan(out).tasks[1].prompt, 'line one\nline two');
    assert.deepEqual(lineDiff(SAMPLE, out).removed, []);
  });

  it('addTask refuses an invalid task or a duplicate id and names the field', () => {
    assert.throws(() => addTask(SAMPLE, { id: 'Bad Id', title: 't', prompt: 'p', scope: ['x/**'] }), /^PlanError: \.lockstep\/plan\.yaml: task\.id: must match/);
    assert.throws(() => addTask(SAMPLE, { id: 'api', title: 't', prompt: 'p', scope: ['x/**'] }), /a task 'api' already exists/);
    assert.throws(() => addTask(SAMPLE, { id: 'w', title: 't', prompt: 'p' }), /tasks\[2\]\.scope: a write task needs at least one glob/);
    assert.throws(() => addTask(SAMPLE, { id: 'w', title: 't', prompt: 'p', scope: ['w/**'], dependsOn: ['ghost'] }), /unknown task 'ghost'/);
  });

  it('addTask creates the tasks list when the plan has none', () => {
    const out = addTask('# just settings\nmaxParallel: 2\n', { id: 'a', title: 'A', prompt: 'p', scope: ['a/**'] });
    assert.ok(out.startsWith('# just settings\nmaxParallel: 2\n'));
    assert.equal(parsePlan(out).tasks[0].id, 'a');
  });

  it('updateTask changes fields in place, keeping comments and the other lines', () => {
    const out = updateTask(SAMPLE, 'api', { scope: ['src/api/**', 'src/shared/**'], title: 'Refresh endpoint' });
    assert.deepEqual(lineDiff(SAMPLE, out), {
      added: ['    title: Refresh endpoint', '    scope: ["src/api/**", "src/shared/**"]'],
      removed: ['    title: Token refresh endpoint', '    scope: ["src/api/**"]'],
    });
    assert.ok(out.includes('    dependsOn: [survey]   # needs the survey\n'));
    assert.ok(out.includes('verify: npm test            # run after merging\n'));
  });

  it('updateTask removes a field given as undefined and adds a new one in field order', () => {
    const out = updateTask(SAMPLE, 'api', { agent: undefined, readOnly: false });
    const d = lineDiff(SAMPLE, out);
    assert.deepEqual(d.removed, ['    agent: claude']);
    assert.deepEqual(d.added, ['    readOnly: false']);
    const lines = out.split('\n');
    assert.equal(lines[lines.indexOf('    title: Token refresh endpoint') + 1], '    readOnly: false');
  });

  it('renaming a task renames it in every dependsOn', () => {
    const withWeb = addTask(SAMPLE, { id: 'web', title: 'Web', prompt: 'p', scope: ['web/**'], dependsOn: ['api'], phase: 2 });
    const out = updateTask(withWeb, 'api', { id: 'refresh' });
    const plan = parsePlan(out);
    assert.deepEqual(
      plan.tasks.map((t) => [t.id, t.dependsOn]),
      [
        ['survey', []],
        ['refresh', ['survey']],
        ['web', ['refresh']],
      ],
    );
    assert.ok(out.includes('# first we look around'));
  });

  it('updateTask refuses an edit that would make the plan invalid, changing nothing', () => {
    assert.throws(() => updateTask(SAMPLE, 'api', { scope: [] }), (e: unknown) => e instanceof PlanError && /tasks\[1\]\.scope: a write task needs at least one glob/.test(e.message));
    assert.throws(() => updateTask(SAMPLE, 'api', { phase: 0 }), /patch\.phase: must be 1 or more/);
    assert.throws(() => updateTask(SAMPLE, 'survey', { phase: 3 }), /'api' \(phase 2\) depends on 'survey' of a later phase \(3\)/);
    assert.throws(() => updateTask(SAMPLE, 'ghost', { title: 'x' }), /unknown task 'ghost'/);
    assert.throws(() => updateTask(SAMPLE, 'api', { title: undefined }), /patch\.title: cannot be removed/);
  });

  it('removeTask removes only that task', () => {
    const out = removeTask(SAMPLE.replace('    dependsOn: [survey]   # needs the survey\n', ''), 'survey');
    assert.deepEqual(
      parsePlan(out).tasks.map((t) => t.id),
      ['api'],
    );
    assert.ok(out.includes('verify: npm test            # run after merging\n'));
    assert.ok(out.includes('setup: [["npm", "ci"]]      # commands run in each new worktree\n'));
  });

  it('removeTask refuses to remove a task others depend on, naming them', () => {
    assert.throws(() => removeTask(SAMPLE, 'survey'), /cannot remove 'survey': 'api' depends on it; remove the dependency first/);
    assert.throws(() => removeTask(SAMPLE, 'ghost'), /unknown task 'ghost'/);
  });

  it('setPhases rewrites only the phase lines', () => {
    const out = setPhases(SAMPLE, { survey: 1, api: 4 });
    assert.deepEqual(lineDiff(SAMPLE, out), { added: ['    phase: 4'], removed: ['    phase: 2'] });
  });

  it('edits refuse a plan that is already invalid', () => {
    assert.throws(() => addTask('maxParallel: 0\n', { id: 'a', title: 'A', prompt: 'p', scope: ['a/**'] }), /:1: maxParallel: must be 1 or more/);
  });

  it('keeps unindented sequence style', () => {
    const text = 'tasks:\n- id: a   # first\n  title: A\n  prompt: p\n  scope: [a/**]\n';
    const out = addTask(text, { id: 'b', title: 'B', prompt: 'p', scope: ['b/**'] });
    assert.equal(out, text + '- id: b\n  title: B\n  scope: [b/**]\n  prompt: p\n');
  });
});
