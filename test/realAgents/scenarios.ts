// The scenarios every real agent goes through, as one story of three runs of the agent on one
// repository (each run is a real agent process, so the story keeps the count of runs small):
//   A edits a free file (allowed, leased, recorded) and then waits for its model;
//   B, a second session of the same agent at the same time, tries that file and a file the user
//     claimed: both denied, files unchanged, and B's model is told Lockstep's reason;
//   A is killed with kill -9: its lease is free at once;
//   C edits the file A held (allowed), and its session's end releases the lease.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DRIVERS, type RealAgentName } from './agents';
import { gate, makeRealAgentWorld, waitUntil, type AgentRun, type RealAgentWorld } from './harness';

const A0 = 'export const a = 1;';
const B0 = 'export const b = 2;';

export function commonScenarios(agent: RealAgentName): void {
  const driver = DRIVERS[agent];
  describe(`${agent} (real CLI ${driver.version}) with Lockstep's hooks`, { timeout: 240_000 }, () => {
    let world: RealAgentWorld;
    let fileA: string;
    let fileB: string;
    let runA: AgentRun;
    let sessionA: string;
    const holdA = gate();
    const read = (f: string) => fs.readFileSync(f, 'utf8');
    const edit = (file: string, from: string, to: string) => driver.editTurn(file, from, to, world.repo.root);

    before(() => {
      world = makeRealAgentWorld({ hooksFor: [agent], hookTransport: 'command' });
      fileA = path.join(world.repo.root, 'src/a.ts');
      fileB = path.join(world.repo.root, 'src/b.ts');
      world.lockstep(['claim', 'src/b.ts', '--session', 'human:other']);
    });
    after(async () => {
      holdA.open();
      await world?.cleanup();
    });

    test('an edit of a free file is allowed, leased and recorded against the session', async () => {
      runA = await world.start(agent, [edit(fileA, A0, 'export const a = 10;'), { say: 'Waiting.', hold: holdA.promise }]);
      await runA.server.reached(1);
      assert.equal(read(fileA), 'export const a = 10;\n');
      const st = world.status();
      const lease = st.leases.find((l) => l.key === 'src/a.ts');
      assert.ok(lease, `a lease on src/a.ts: ${JSON.stringify(st.leases)}`);
      assert.match(lease.session, new RegExp(`^${agent}:`));
      sessionA = lease.session;
      await waitUntil(() => world.status().edits.some((e) => e.key === 'src/a.ts' && e.session === sessionA), `the edit of src/a.ts recorded for ${sessionA}`);
    });

    test('a second session of the same agent is denied the file the first holds, and a file the user claimed; the model is told why', async () => {
      const runB = await world.start(agent, [edit(fileA, 'export const a = 10;', 'export const a = 20;'), edit(fileB, B0, 'export const b = 20;')]);
      const exit = await runB.exited;
      assert.equal(exit.code, 0, `${agent} exit: ${exit.stderr.slice(-2000)}`);
      assert.equal(read(fileA), 'export const a = 10;\n', 'the held file is unchanged');
      assert.equal(read(fileB), `${B0}\n`, 'the claimed file is unchanged');
      const main = runB.server.mainRequests();
      // The request after each tool call carries its result: Lockstep's reason, naming the holder.
      const afterFirst = main[1]?.text ?? '';
      const afterSecond = main[2]?.text ?? '';
      assert.match(afterFirst, /src\/a\.ts is held by/, 'the model was told src/a.ts is held');
      assert.match(afterSecond, /src\/b\.ts is held by the user \(human:other\)/, 'the model was told the user holds src/b.ts');
      const st = world.status();
      assert.equal(st.leases.find((l) => l.key === 'src/a.ts')?.session, sessionA, 'A still holds src/a.ts');
      assert.equal(st.leases.find((l) => l.key === 'src/b.ts')?.session, 'human:other');
      assert.ok(!st.edits.some((e) => e.session !== sessionA && e.key === 'src/a.ts'), 'no edit of src/a.ts recorded for B');
    });

    test('kill -9 of the agent frees its leases for the next session at once', async () => {
      runA.kill9();
      await runA.exited;
      const st = world.status();
      assert.equal(st.leases.find((l) => l.key === 'src/a.ts' && l.inForce), undefined, `src/a.ts is free: ${JSON.stringify(st.leases)}`);
    });

    test("the next session edits the file; its session's end releases its leases", async () => {
      const holdC = gate();
      const runC = await world.start(agent, [edit(fileA, 'export const a = 10;', 'export const a = 30;'), { say: 'Waiting.', hold: holdC.promise }]);
      await runC.server.reached(1);
      assert.equal(read(fileA), 'export const a = 30;\n');
      const sessionC = world.status().leases.find((l) => l.key === 'src/a.ts' && l.inForce)?.session;
      assert.ok(sessionC && sessionC !== sessionA, `C holds src/a.ts (${sessionC})`);
      holdC.open();
      const exit = await runC.exited;
      assert.equal(exit.code, 0, `${agent} exit: ${exit.stderr.slice(-2000)}`);
      const st = world.status();
      assert.deepEqual(
        st.leases.filter((l) => l.session === sessionC),
        [],
        'no lease left for the ended session',
      );
      assert.ok(st.sessions.find((s) => s.id === sessionC)?.endedAt, 'the session is ended');
    });
  });
}
