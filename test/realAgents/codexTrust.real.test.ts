// Codex and its hook approval, with the real CLI (issue 12, items 5 and 6): Codex runs project hooks
// only in a trusted project and only once the user approved each hook's hash; otherwise it skips them
// without a word. `lockstep doctor` must say so, with the step that fixes it, exactly when Codex skips
// them (its key for each hook is Codex's own, as `codex app-server` lists it), and Codex must not warn
// about the hooks Lockstep wrote (it clamps SessionEnd to 3 s and warns when asked for more).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DRIVERS, type AgentHome } from './agents';
import { makeRealAgentWorld, type RealAgentWorld } from './harness';

const B0 = 'export const b = 2;';
const SKIPS = /Codex skips (\d+) of Lockstep's \1 hooks in .*\.codex\/hooks\.json until you approve them: run `codex` in .*, type \/hooks and approve/;

describe(`Codex (real CLI ${DRIVERS.codex.version}): hooks it will not run`, { timeout: 240_000 }, () => {
  let world: RealAgentWorld;
  before(() => {
    world = makeRealAgentWorld({ hooksFor: ['codex'] });
    world.lockstep(['claim', 'src/b.ts', '--session', 'human:other']);
  });
  after(async () => {
    await world?.cleanup();
  });

  const doctor = (h: AgentHome) => {
    const r = world.lockstep(['doctor', '--check-only'], { env: { HOME: h.home, CODEX_HOME: path.join(h.home, '.codex') }, allowFail: true });
    return r.stdout + r.stderr;
  };

  test('approved (as Codex lists them): doctor is content, the held file is denied, and Codex warns about no hook', async () => {
    let report = '';
    const fileB = path.join(world.repo.root, 'src/b.ts');
    const run = await world.run('codex', [DRIVERS.codex.editTurn(fileB, B0, 'export const b = 9;', world.repo.root)], {
      beforeStart: (h) => (report = doctor(h)),
    });
    assert.doesNotMatch(report, /Codex skips|not trusted in/, `doctor finds Codex's approvals under Codex's own keys:\n${report}`);
    assert.equal(fs.readFileSync(fileB, 'utf8'), `${B0}\n`, 'the held file is unchanged');
    assert.match(run.server.mainRequests()[1]?.text ?? '', /src\/b\.ts is held by the user \(human:other\)/);
    const said = `${run.exit.stdout}\n${run.exit.stderr}`;
    assert.doesNotMatch(said, /clamping \w+ hook timeout/i, `Codex accepted every hook as written:\n${said.slice(-3000)}`);
  });

  test('not approved: Codex skips the hooks silently (the held file is edited), and doctor said so with the step beforehand', async () => {
    let report = '';
    const fileB = path.join(world.repo.root, 'src/b.ts');
    await world.run('codex', [DRIVERS.codex.editTurn(fileB, B0, 'export const b = 9;', world.repo.root)], {
      beforeStart: (h) => {
        // What the user's config holds before they review the hooks in /hooks: the project trusted, no hook approved.
        const config = path.join(h.home, '.codex', 'config.toml');
        fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace(/\n\[hooks\.state\.[^\n]*\]\ntrusted_hash = [^\n]*\n/g, '\n'));
        report = doctor(h);
      },
    });
    assert.match(report, SKIPS, report);
    assert.equal(fs.readFileSync(fileB, 'utf8'), 'export const b = 9;\n', 'Codex ran no hook: the held file was edited, as doctor warned');
  });
});
