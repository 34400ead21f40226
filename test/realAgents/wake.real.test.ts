// An idle Claude Code session is woken by `lockstep send` (issue 13): the installed asyncRewake Stop
// hook (`lockstep hook --agent claude --wake`) waits after the turn ended; a message makes it hand
// the text over and exit 2, and the real CLI starts a new model request carrying it, with no user
// prompt. The sender is told per recipient: woken now, or (with no waiter) delivered with the next event.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DRIVERS } from './agents';
import { makeRealAgentWorld, waitUntil, type RealAgentWorld } from './harness';

describe(`claude (real CLI ${DRIVERS.claude.version}): an idle session`, { timeout: 180_000 }, () => {
  let world: RealAgentWorld;
  before(() => {
    world = makeRealAgentWorld({ hooksFor: ['claude'], hookTransport: 'command' });
  });
  after(async () => {
    await world?.cleanup();
  });

  test('is woken by lockstep send, and the model gets the message once', async () => {
    const token = 'lockstep-wake-claude-7d41b2';
    const run = await world.start('claude', [{ say: 'Ready.' }, { say: 'Noted.' }], { conversation: true });
    try {
      run.say('Wait for instructions from the other sessions.');
      await waitUntil(() => run.stdout().includes('"type":"result"'), "the end of Claude's first turn");
      const session = world.status().sessions.find((s) => s.agent === 'claude' && !s.endedAt)?.id;
      assert.ok(session, 'the Claude session is known');
      assert.equal(run.server.mainRequests().length, 1, 'one model request so far');

      // The Stop hook runs in the background: once it waits (its marker is there), a send says it wakes the agent.
      const wakeDir = path.join(world.repo.root, '.git', 'lockstep', 'wake');
      await waitUntil(() => fs.existsSync(wakeDir) && fs.readdirSync(wakeDir).some((f) => f.endsWith('.json')), 'the asyncRewake Stop hook to wait', 30_000);
      const sent = world.lockstep(['send', session!, `Take src/b.ts after the API task (${token})`], { env: { LOCKSTEP_SESSION: 'human:lead' } }).stdout;
      assert.match(sent, new RegExp(`^sent #1 to .*; woken now with it \\(idle, its agent can be woken\\): ${session!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

      await waitUntil(() => run.server.mainRequests().length >= 2, 'a model request after the wake', 60_000);
      const woke = run.server.mainRequests()[1]!.text;
      assert.match(woke, /message from human:lead: Take src\/b\.ts after the API task/);
      assert.equal(woke.split(token).length - 1, 1, 'delivered once');
      const inbox = JSON.parse(world.lockstep(['inbox', '--session', session!, '--peek', '--json']).stdout) as { messages: unknown[] };
      assert.deepEqual(inbox.messages, [], 'nothing waits any more');

      // A session nobody waits for: the sender is told it waits for the next event.
      const other = world.lockstep(['send', 'codex:absent', 'hello'], { env: { LOCKSTEP_SESSION: 'human:lead' } });
      assert.match(other.stdout, /delivered with the agent's next tool call or prompt/);
      assert.doesNotMatch(other.stdout, /woken now/);
    } finally {
      run.endConversation();
      await run.exited;
    }
  });
});
