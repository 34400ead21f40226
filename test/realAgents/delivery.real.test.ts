// Messages reach real agents' models through Lockstep's hooks (issue 13): while a real agent CLI
// waits for its model, `lockstep send` puts a message in its session's mailbox; the agent's next
// hook event that can carry context (Claude Code's and Codex's PostToolUse, Gemini CLI's AfterTool,
// Copilot CLI's postToolUse) hands it over, and the model's next request carries the text, exactly once; the request after
// that still has it once (in the history: it was not delivered again), and the inbox is empty.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DRIVERS, type RealAgentName } from './agents';
import { gate, makeRealAgentWorld, waitUntil, type RealAgentWorld } from './harness';

function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

function deliveryScenario(agent: RealAgentName): void {
  const driver = DRIVERS[agent];
  describe(`${agent} (real CLI ${driver.version}): a message sent with lockstep send`, { timeout: 180_000 }, () => {
    let world: RealAgentWorld;
    before(() => {
      world = makeRealAgentWorld({ hooksFor: [agent], hookTransport: 'command' });
    });
    after(async () => {
      await world?.cleanup();
    });

    test("reaches the model in the session's next request, exactly once", async () => {
      const root = world.repo.root;
      const fileA = path.join(root, 'src/a.ts');
      const fileB = path.join(root, 'src/b.ts');
      // A token no prompt, file or tool output contains: every occurrence in a request is the delivery.
      const token = `lockstep-delivery-${agent}-5e0c9a`;
      const text = `Keep the v1 endpoint until the UI task lands (${token})`;
      const held = gate();
      const run = await world.start(agent, [
        { ...driver.editTurn(fileA, 'export const a = 1;', 'export const a = 2;', root), hold: held.promise },
        driver.editTurn(fileB, 'export const b = 2;', 'export const b = 3;', root),
        { say: 'Done.' },
      ]);
      // The model is thinking about its first reply: the session is known by now (its hooks ran).
      await run.server.reached(0);
      let session: string | undefined;
      await waitUntil(() => (session = world.status().sessions.find((s) => s.agent === agent && !s.endedAt)?.id) !== undefined, `a live ${agent} session`);
      const sent = world.lockstep(['send', session!, text], { env: { LOCKSTEP_SESSION: 'human:lead' } });
      assert.match(sent.stdout, new RegExp(`^sent #1 to ${session!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')};`));
      held.open();

      const exit = await run.exited;
      assert.equal(exit.code, 0, `${agent} exit: ${exit.stderr.slice(-2000)}`);
      assert.equal(fs.readFileSync(fileA, 'utf8'), 'export const a = 2;\n');
      assert.equal(fs.readFileSync(fileB, 'utf8'), 'export const b = 3;\n');
      const main = run.server.mainRequests();
      assert.ok(main.length >= 3, `three model requests: ${main.length}`);
      assert.equal(occurrences(main[0]!.text, token), 0, 'the request before the send does not have it');
      assert.equal(occurrences(main[1]!.text, token), 1, `the request after the next tool call carries it once:\n${main[1]!.text.slice(-3000)}`);
      assert.match(main[1]!.text, /message from human:lead: Keep the v1 endpoint until the UI task lands/);
      assert.equal(occurrences(main[2]!.text, token), 1, 'the request after that has it once, in the history: it was not delivered again');
      const inbox = JSON.parse(world.lockstep(['inbox', '--session', session!, '--peek', '--json']).stdout) as { messages: unknown[] };
      assert.deepEqual(inbox.messages, [], 'nothing waits any more');
    });
  });
}

deliveryScenario('claude');
deliveryScenario('codex');
deliveryScenario('gemini');
deliveryScenario('copilot');

// Copilot CLI: a decision noted before the session starts reaches the model with sessionStart, and
// the userPromptSubmitted hook that follows at once does not hand it over again.
describe(`copilot (real CLI ${DRIVERS.copilot.version}): a decision noted before the session`, { timeout: 180_000 }, () => {
  let world: RealAgentWorld;
  before(() => {
    world = makeRealAgentWorld({ hooksFor: ['copilot'] });
  });
  after(async () => {
    await world?.cleanup();
  });

  test('is in the first model request, once', async () => {
    const token = 'lockstep-start-copilot-81d2f0';
    world.lockstep(['note', `Dates are ISO 8601 strings (${token})`], { env: { LOCKSTEP_SESSION: 'human:lead' } });
    const run = await world.run('copilot', [{ say: 'Done.' }]);
    const main = run.server.mainRequests();
    assert.ok(main.length >= 1);
    assert.equal(occurrences(main[0]!.text, token), 1, `the first request carries it once:\n${main[0]!.text.slice(0, 3000)}`);
    assert.match(main[0]!.text, /human:lead: Dates are ISO 8601 strings/);
  });
});
