// A real agent that holds a file hears that someone waits for it (issue 13): the agent edits
// src/a.ts (its hook leases it), then another session's `lockstep claim src/a.ts` is denied; the
// agent's next hook event that can carry context (after its next tool call) hands the holder the
// message, and the model's next request names who waits for which file, once.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DRIVERS, type RealAgentName } from './agents';
import { gate, makeRealAgentWorld, waitUntil, type RealAgentWorld } from './harness';

function holderScenario(agent: RealAgentName): void {
  const driver = DRIVERS[agent];
  describe(`${agent} (real CLI ${driver.version}): holding a file another session is denied`, { timeout: 180_000 }, () => {
    let world: RealAgentWorld;
    before(() => {
      world = makeRealAgentWorld({ hooksFor: [agent], hookTransport: 'command' });
    });
    after(async () => {
      await world?.cleanup();
    });

    test("the holder's model is told who waits for which file, once", async () => {
      const root = world.repo.root;
      const held = gate();
      const run = await world.start(agent, [
        driver.editTurn(path.join(root, 'src/a.ts'), 'export const a = 1;', 'export const a = 2;', root),
        { ...driver.editTurn(path.join(root, 'src/b.ts'), 'export const b = 2;', 'export const b = 3;', root), hold: held.promise },
        { say: 'Done.' },
      ]);
      // The model is asked for its second step: the first edit is done and src/a.ts is leased.
      await run.server.reached(1);
      let holder: string | undefined;
      await waitUntil(() => (holder = world.status().leases.find((l) => l.key === 'src/a.ts')?.session) !== undefined, 'the lease on src/a.ts');
      const denied = world.lockstep(['claim', 'src/a.ts', '--session', 'codex:waiter-9b3e', '--task', 'docs'], { allowFail: true });
      assert.equal(denied.status, 3, `the claim is denied: ${denied.stderr}`);
      held.open();

      const exit = await run.exited;
      assert.equal(exit.code, 0, `${agent} exit: ${exit.stderr.slice(-2000)}`);
      const main = run.server.mainRequests();
      assert.ok(main.length >= 3, `three model requests: ${main.length}`);
      const notice = 'codex:waiter-9b3e (task docs) is waiting for src/a.ts, which you hold';
      assert.equal(main[1]!.text.split(notice).length - 1, 0, 'not before the claim');
      assert.equal(main[2]!.text.split(notice).length - 1, 1, `the request after the next tool call carries it once:\n${main[2]!.text.slice(-3000)}`);
      assert.ok(holder!.startsWith(`${agent}:`), holder);
    });
  });
}

holderScenario('claude');
holderScenario('codex');
holderScenario('gemini');
holderScenario('copilot');
