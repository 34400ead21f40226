import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { findCycles, resolveWorktreesRoot, splitCommandLine, taskBranch, TASK_ID_PATTERN } from '../../src/core/plan';
import { PlanError, formatIssue, parsePlan, tryParsePlan, type PlanIssue } from '../../src/core/planFile';

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

function issues(text: string, repoRoot?: string): string[] {
  const r = tryParsePlan(text, { repoRoot });
  assert.equal(r.ok, false, 'expected the plan to be refused');
  return (r as { issues: PlanIssue[] }).issues.map(formatIssue);
}

/** Replaces exactly one occurrence, so a typo in a test fails loudly. */
function edit(text: string, from: string, to: string): string {
  assert.equal(text.split(from).length, 2, `expected exactly one '${from}'`);
  return text.replace(from, to);
}

describe('plan parsing', () => {
  it('parses the documented example with defaults filled in', () => {
    const plan = parsePlan(SAMPLE);
    assert.equal(plan.target, 'main');
    assert.equal(plan.maxParallel, 3);
    assert.deepEqual(plan.verify, ['npm', 'test']);
    assert.deepEqual(plan.setup, [['npm', 'ci']]);
    assert.deepEqual(plan.agents.claude, ['claude', '--permission-mode', 'acceptEdits', '{prompt}']);
    assert.equal(plan.tasks.length, 2);
    const [survey, api] = plan.tasks;
    assert.deepEqual(survey.scope, []);
    assert.equal(survey.readOnly, true);
    assert.deepEqual(survey.dependsOn, []);
    assert.equal(api.readOnly, false);
    assert.equal(api.prompt, 'Add a refresh endpoint.\nKeep it small.\n');
    assert.deepEqual(api.dependsOn, ['survey']);
  });

  it('fills defaults for a minimal plan and an empty file', () => {
    const plan = parsePlan('tasks:\n  - {id: a, title: A, prompt: p, scope: ["a/**"]}\n');
    assert.equal(plan.target, 'main');
    assert.equal(plan.maxParallel, 3);
    assert.equal(plan.autoRun, false);
    assert.equal(plan.tasks[0].phase, 1);
    assert.deepEqual(parsePlan('').tasks, []);
  });

  it('names file, line and field for a write task without scope', () => {
    const text = edit(SAMPLE, '    scope: ["src/api/**"]\n', '');
    assert.deepEqual(issues(text), ['.lockstep/plan.yaml:18: tasks[1].scope: a write task needs at least one glob (or set readOnly: true)']);
  });

  it('uses the file name it is given', () => {
    const r = tryParsePlan('maxParallel: 0\n', { file: 'plans/x.yaml' });
    assert.equal(r.ok, false);
    assert.match(formatIssue((r as { issues: PlanIssue[] }).issues[0]), /^plans\/x\.yaml:1: maxParallel: /);
  });

  it('refuses maxParallel below 1 and phases that are not positive integers', () => {
    assert.deepEqual(issues(edit(SAMPLE, 'maxParallel: 3', 'maxParallel: 0')), ['.lockstep/plan.yaml:3: maxParallel: must be 1 or more']);
    assert.deepEqual(issues(edit(SAMPLE, 'phase: 2', 'phase: 0')), ['.lockstep/plan.yaml:21: tasks[1].phase: must be 1 or more']);
    assert.deepEqual(issues(edit(SAMPLE, 'phase: 2', 'phase: 1.5')), ['.lockstep/plan.yaml:21: tasks[1].phase: must be a whole number']);
    assert.match(issues(edit(SAMPLE, 'phase: 2', 'phase: two'))[0], /^\.lockstep\/plan\.yaml:21: tasks\[1\]\.phase: Expected number, received string$/);
  });

  it('refuses task ids outside the allow-list, pointing at the id line', () => {
    for (const bad of ['API', 'a b', '-x', 'x/y', 'a;rm', 'a..b', 'x.lock', 'x.', '$(id)', 'a'.repeat(64)]) {
      const text = edit(SAMPLE, 'id: api', `id: ${JSON.stringify(bad)}`).replace('dependsOn: [survey]', 'dependsOn: [survey]');
      const out = issues(text);
      assert.match(out[0], /^\.lockstep\/plan\.yaml:18: tasks\[1\]\.id: must /, `${bad}: ${out[0]}`);
    }
    assert.ok(TASK_ID_PATTERN.test('a'.repeat(63)));
    assert.equal(taskBranch('api.v2_x-1'), 'lockstep/api.v2_x-1');
  });

  it('refuses duplicate ids', () => {
    const text = edit(SAMPLE, 'id: api', 'id: survey').replace('    dependsOn: [survey]   # needs the survey\n', '');
    assert.deepEqual(issues(text), [".lockstep/plan.yaml:18: tasks[1].id: duplicate id 'survey' (also tasks[0])"]);
  });

  it('refuses unknown dependencies and self-dependencies', () => {
    assert.deepEqual(issues(edit(SAMPLE, 'dependsOn: [survey]', 'dependsOn: [survey, nope]')), [
      ".lockstep/plan.yaml:23: tasks[1].dependsOn[1]: unknown task 'nope'",
    ]);
    assert.deepEqual(issues(edit(SAMPLE, 'dependsOn: [survey]', 'dependsOn: [api]')), [
      ".lockstep/plan.yaml:23: tasks[1].dependsOn[0]: 'api' depends on itself",
    ]);
  });

  it('names a dependency cycle', () => {
    const text = `tasks:
  - {id: a, title: A, prompt: p, scope: [a/**], dependsOn: [c]}
  - {id: b, title: B, prompt: p, scope: [b/**], dependsOn: [a]}
  - {id: c, title: C, prompt: p, scope: [c/**], dependsOn: [b]}
  - {id: d, title: D, prompt: p, scope: [d/**], dependsOn: [a]}
`;
    assert.deepEqual(issues(text), ['.lockstep/plan.yaml:2: tasks[0].dependsOn: dependency cycle: a → c → b → a']);
    assert.deepEqual(findCycles([{ id: 'x', dependsOn: ['y'] }, { id: 'y', dependsOn: ['x'] }]), [['x', 'y']]);
  });

  it('refuses a dependency on a task of a later phase', () => {
    const text = edit(edit(SAMPLE, 'phase: 1', 'phase: 3'), 'readOnly: true', 'readOnly: true');
    assert.deepEqual(issues(text), [".lockstep/plan.yaml:23: tasks[1].dependsOn[0]: 'api' (phase 2) depends on 'survey' of a later phase (3)"]);
  });

  it('requires {prompt} or {promptFile} as a whole argument of an agent template', () => {
    const bad = edit(SAMPLE, '"{prompt}"]', '"prompt={prompt}"]');
    assert.deepEqual(issues(bad), ['.lockstep/plan.yaml:8: agents.claude: an agent template needs "{prompt}" or "{promptFile}" as a whole argument (or as --option={prompt})']);
    assert.doesNotThrow(() => parsePlan(edit(SAMPLE, '"{prompt}"]', '"--prompt={prompt}"]')));
    assert.doesNotThrow(() => parsePlan(edit(SAMPLE, '"{prompt}"]', '"--file", "{promptFile}"]')));
  });

  it('refuses an unknown agent and names the built-in ones', () => {
    assert.match(issues(edit(SAMPLE, 'agent: claude', 'agent: robot'))[0], /^\.lockstep\/plan\.yaml:20: tasks\[1\]\.agent: unknown agent 'robot'; define it under agents: or use one of claude, codex/);
    assert.doesNotThrow(() => parsePlan(edit(SAMPLE, 'agent: claude', 'agent: codex')));
  });

  it('refuses unknown fields and suggests the near one', () => {
    assert.deepEqual(issues(edit(SAMPLE, 'dependsOn: [survey]', 'dependson: [survey]')), [
      '.lockstep/plan.yaml:23: tasks[1].dependson: unknown field (did you mean dependsOn?)',
    ]);
    assert.match(issues(`maxparalel: 2\n`)[0], /^\.lockstep\/plan\.yaml:1: maxparalel: unknown field \(did you mean maxParallel\?\)$/);
  });

  it('refuses unsafe or useless scope globs', () => {
    const cases: [string, RegExp][] = [
      ['"!src/**"', /negated globs are not supported/],
      ['"/etc/**"', /must be relative to the repository root/],
      ['"../other/**"', /must not contain "\.\."/],
      ['"src/api/"', /a folder needs \/\*\* \(src\/api\/\*\*\)/],
      ['""', /an empty glob matches nothing/],
    ];
    for (const [glob, re] of cases) {
      const out = issues(edit(SAMPLE, 'scope: ["src/api/**"]', `scope: [${glob}]`));
      assert.match(out[0], /^\.lockstep\/plan\.yaml:22: tasks\[1\]\.scope\[0\]: /);
      assert.match(out[0], re);
    }
  });

  it('reports YAML syntax errors with their line', () => {
    const out = issues('target: main\ntasks:\n  - id: a\n   title: x\n');
    assert.match(out[0], /^\.lockstep\/plan\.yaml:4: YAML: /);
  });

  it('reports a non-mapping document', () => {
    assert.deepEqual(issues('- a\n- b\n'), ['.lockstep/plan.yaml:1: a plan is a mapping with target, maxParallel, tasks, …']);
  });

  it('throws a PlanError whose message is one line and whose details list every problem', () => {
    const text = edit(edit(SAMPLE, 'maxParallel: 3', 'maxParallel: 0'), 'phase: 2', 'phase: -1');
    assert.throws(
      () => parsePlan(text),
      (e: unknown) => {
        assert.ok(e instanceof PlanError);
        assert.equal(e.message, '.lockstep/plan.yaml:3: maxParallel: must be 1 or more (and 1 more problem)');
        assert.equal(e.details.split('\n').length, 2);
        assert.ok(!e.message.includes('\n'));
        return true;
      },
    );
  });
});

describe('commands', () => {
  it('splits a command string without a shell', () => {
    assert.deepEqual(splitCommandLine('npm test'), ['npm', 'test']);
    assert.deepEqual(splitCommandLine(`node -e "console.log('a b')" 'x y' z\\ w`), ['node', '-e', "console.log('a b')", 'x y', 'z w']);
    assert.deepEqual(splitCommandLine('  '), []);
  });

  it('refuses shell operators and unbalanced quotes with a reason', () => {
    for (const bad of ['npm test && rm -rf /', 'a | b', 'a; b', 'a > f', 'echo $(id)', 'echo `id`']) {
      assert.throws(() => splitCommandLine(bad), /shell operators .* are not supported/);
    }
    assert.throws(() => splitCommandLine('echo "x'), /unbalanced " quote/);
    assert.doesNotThrow(() => splitCommandLine('echo "a && b"'));
  });

  it('reports a bad verify command at its line', () => {
    assert.match(issues(edit(SAMPLE, 'verify: npm test', 'verify: npm test && npm run lint'))[0], /^\.lockstep\/plan\.yaml:4: verify: .*shell operators/);
    assert.deepEqual(parsePlan(edit(SAMPLE, 'verify: npm test', 'verify: [npm, run, "test:unit"]')).verify, ['npm', 'run', 'test:unit']);
    assert.match(issues(edit(SAMPLE, 'verify: npm test', 'verify: []'))[0], /^\.lockstep\/plan\.yaml:4: verify: a command needs at least the program/);
  });
});

describe('worktreesRoot', () => {
  const repo = path.resolve('/srv/code/repo');
  it('defaults to a sibling folder of the repository', () => {
    assert.deepEqual(resolveWorktreesRoot(undefined, repo), { ok: true, path: path.resolve('/srv/code/repo-worktrees') });
    assert.deepEqual(resolveWorktreesRoot('../wt', repo), { ok: true, path: path.resolve('/srv/code/wt') });
    assert.deepEqual(resolveWorktreesRoot('../repo-other', repo), { ok: true, path: path.resolve('/srv/code/repo-other') });
  });
  it('refuses a folder inside the repository (or the repository itself)', () => {
    for (const inside of ['.worktrees', 'a/../b', '.', '/srv/code/repo/x']) {
      const r = resolveWorktreesRoot(inside, repo);
      assert.equal(r.ok, false, inside);
      assert.match((r as { message: string }).message, /is inside the repository .*use a folder beside it, e\.g\. \.\.\/repo-worktrees/);
    }
  });
  it('is checked with a line number when parsing with the repository root', () => {
    const text = edit(SAMPLE, 'worktreesRoot: ../repo-worktrees', 'worktreesRoot: .lockstep/wt');
    assert.doesNotThrow(() => parsePlan(text));
    assert.match(issues(text, repo)[0], /^\.lockstep\/plan\.yaml:5: worktreesRoot: \.lockstep\/wt is inside the repository/);
  });
});
