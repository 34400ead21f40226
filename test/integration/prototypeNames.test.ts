// Names that are also Object.prototype members (`constructor`, `toString`, `__proto__`) are files and
// task ids like any other: leased, listed, released, scheduled. Real CLI processes, a real repository.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { claudeToolPayload } from '../fixtures/hookPayloads';
import { ensureBuilt, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

const NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty'];
let repo: TempRepo;

before(() => {
  ensureBuilt();
  repo = makeTempRepo({ files: Object.fromEntries([...NAMES.map((n) => [n, `${n}\n`]), ['README.md', '# r\n']]) });
});
after(() => repo.cleanup());

function cli(args: string[]) {
  return runCli(args, { cwd: repo.root, env: { LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '' } });
}

test('root files named like prototype members are leased, shown, contended and released', () => {
  const tokens = new Map<string, string>();
  for (const name of NAMES) {
    const r = cli(['claim', name, '--session', 'human:alice', '--json']);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    const out = JSON.parse(r.stdout);
    assert.equal(out.leases[0].key, name);
    tokens.set(name, out.leases[0].ownerToken);
  }
  const status = JSON.parse(cli(['status', '--json']).stdout);
  assert.deepEqual(status.leases.map((l: { key: string }) => l.key).sort(), [...NAMES].sort());

  // Another session is denied each of them, through the CLI and through an agent's hook.
  for (const name of NAMES) {
    const r = cli(['claim', name, '--session', 'human:bob']);
    assert.equal(r.status, 3, `${name}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`${name.replace(/_/g, '_')} is held by the user \\(human:alice\\)`));
    const h = runCli(['hook', '--agent', 'claude'], { cwd: repo.root, input: JSON.stringify(claudeToolPayload('PreToolUse', 'sess-proto', repo.root, path.join(repo.root, name))), env: { LOCKSTEP_SESSION: '' } });
    assert.equal(h.status, 0, h.stderr);
    assert.equal(JSON.parse(h.stdout).hookSpecificOutput.permissionDecision, 'deny', name);
  }
  for (const name of NAMES) {
    const r = cli(['release', name, '--token', tokens.get(name)!]);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
  }
  assert.deepEqual(JSON.parse(cli(['status', '--json']).stdout).leases, []);
});

test("a task and an agent named 'constructor' validate, list and gate like any other", () => {
  repo.write(
    '.lockstep/plan.yaml',
    [
      'agents:',
      '  constructor: [node, -e, "0", "{prompt}"]',
      'tasks:',
      '  - id: constructor',
      '    title: C',
      '    prompt: build it',
      '    agent: constructor',
      '    scope: ["constructor"]',
      '  - id: tostring',
      '    title: T',
      '    prompt: then this',
      '    scope: ["toString"]',
      '    dependsOn: [constructor]',
      '',
    ].join('\n'),
  );
  const v = cli(['plan', 'validate']);
  assert.equal(v.status, 0, v.stderr);
  const list = cli(['task', 'list', '--json']);
  assert.equal(list.status, 0, list.stderr);
  const tasks = JSON.parse(list.stdout).tasks as Array<{ id: string; status: string }>;
  assert.deepEqual(tasks.map((t) => [t.id, t.status]), [['constructor', 'ready'], ['tostring', 'queued']]);
  const m = cli(['matrix', '--planned', '--json']);
  assert.equal(m.status, 0, m.stderr);
});
