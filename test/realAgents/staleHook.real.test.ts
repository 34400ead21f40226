// The stale-hook story with every real agent: hooks installed the normal way (through the launcher
// ~/.lockstep/bin/lockstep-hook, pointed at one Lockstep), then that Lockstep is moved away, as an
// update, a removed extension or a moved checkout does. Each agent's edit of a free file must be
// blocked (the file unchanged, no lease), and the model must be told why, in Lockstep's words.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI } from '../helpers/cli';
import { DRIVERS, type RealAgentName } from './agents';
import { makeRealAgentWorld, type RealAgentWorld } from './harness';

const A0 = 'export const a = 1;';
const AGENTS: RealAgentName[] = ['claude', 'codex', 'gemini', 'copilot'];

describe('a hook whose Lockstep was moved away blocks every real agent, with the reason', { timeout: 300_000 }, () => {
  let world: RealAgentWorld;
  let installDir: string;
  let movedTo: string;

  before(() => {
    // A Lockstep install of its own (a copy of dist/), so moving it away touches nothing else.
    installDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-install-'));
    fs.cpSync(path.dirname(CLI), path.join(installDir, 'dist'), { recursive: true });
    world = makeRealAgentWorld({ hooksFor: AGENTS, hookTransport: 'command', installWith: path.join(installDir, 'dist', 'cli.js') });
    movedTo = `${installDir}-moved`;
    fs.renameSync(installDir, movedTo);
  });
  after(async () => {
    await world?.cleanup();
    fs.rmSync(movedTo, { recursive: true, force: true });
  });

  for (const agent of AGENTS) {
    test(`${agent} (real CLI ${DRIVERS[agent].version}): the edit of a free file is blocked and the model is told Lockstep is gone`, async () => {
      const file = path.join(world.repo.root, 'src/a.ts');
      const run = await world.start(agent, [DRIVERS[agent].editTurn(file, A0, 'export const a = 2;', world.repo.root)]);
      const exit = await run.exited;
      assert.equal(fs.readFileSync(file, 'utf8'), `${A0}\n`, `the file is unchanged (exit ${exit.code}): ${exit.stderr.slice(-1500)}`);
      const told = run.server.mainRequests().map((r) => r.text).join('\n');
      assert.match(told, /Lockstep is no longer at [^"]*dist\/cli\.js/, `the model was told why: ${told.slice(-1500)}`);
      assert.deepEqual(world.status().leases, [], 'no lease was taken');
    });
  }
});
