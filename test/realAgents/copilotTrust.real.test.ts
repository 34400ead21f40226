// Copilot CLI and folder trust, with the real CLI: repository hooks (.github/hooks) are ignored in a
// folder the user has not trusted, user hooks ($COPILOT_HOME/hooks/*.json) run everywhere. So
// `hooks install --agent copilot --scope user` must work there, and the project-scope install and
// `lockstep doctor` must say that repository hooks need a trusted folder.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { DRIVERS } from './agents';
import { makeRealAgentWorld, type RealAgentWorld } from './harness';

const B0 = 'export const b = 2;';
const untrusted = (args: string[]) => args.filter((a) => a !== '--trust-folder');

describe(`Copilot CLI (real CLI ${DRIVERS.copilot.version}) in a folder it does not trust`, { timeout: 240_000 }, () => {
  const worlds: RealAgentWorld[] = [];
  after(async () => {
    for (const w of worlds) await w.cleanup();
  });

  test('user-scope hooks run: the held file is denied with the reason; a free file is leased', async () => {
    const world = makeRealAgentWorld({ hooksFor: ['copilot'], hookScope: 'user' });
    worlds.push(world);
    assert.ok(!fs.existsSync(path.join(world.repo.root, '.github', 'hooks')), 'nothing in the repository');
    world.lockstep(['claim', 'src/b.ts', '--session', 'human:other']);
    const fileA = path.join(world.repo.root, 'src/a.ts');
    const fileB = path.join(world.repo.root, 'src/b.ts');
    const edit = (f: string, from: string, to: string) => DRIVERS.copilot.editTurn(f, from, to, world.repo.root);
    const run = await world.run('copilot', [edit(fileB, B0, 'export const b = 9;'), edit(fileA, 'export const a = 1;', 'export const a = 9;')], { args: untrusted });
    assert.equal(fs.readFileSync(fileB, 'utf8'), `${B0}\n`, 'the held file is unchanged');
    assert.match(run.server.mainRequests()[1]?.text ?? '', /src\/b\.ts is held by the user \(human:other\)/, 'the model was told why');
    assert.equal(fs.readFileSync(fileA, 'utf8'), 'export const a = 9;\n');
    const st = world.status();
    assert.ok(st.edits.some((e) => e.key === 'src/a.ts' && e.session.startsWith('copilot:')), `the edit was recorded: ${JSON.stringify(st.edits)}`);
  });

  test('repository hooks are ignored there (the edit goes through unleased), and install and doctor say so', async () => {
    const world = makeRealAgentWorld({ hooksFor: [] });
    worlds.push(world);
    const home = path.join(path.dirname(world.repo.root), 'install-home');
    fs.mkdirSync(home);
    const install = world.lockstep(['hooks', 'install', '--agent', 'copilot'], { env: { HOME: home, COPILOT_HOME: '' } });
    assert.match(install.stdout, /note: Copilot CLI ignores repository hooks \(\.github\/hooks\/lockstep\.json\) in a folder you have not trusted.*install with --scope user/);
    world.repo.commitAll('copilot hooks');
    const doctor = world.lockstep(['doctor', '--check-only'], { env: { HOME: home, COPILOT_HOME: '' }, allowFail: true });
    assert.equal(doctor.status, 1, doctor.stdout);
    assert.match(doctor.stdout, /Copilot CLI ignores repository hooks .* not trusted/);
    world.lockstep(['claim', 'src/b.ts', '--session', 'human:other']);
    const fileB = path.join(world.repo.root, 'src/b.ts');
    const edit = DRIVERS.copilot.editTurn(fileB, B0, 'export const b = 9;', world.repo.root);
    // The launcher the install wrote, in the run's home.
    const withLauncher = { beforeStart: (h: { home: string }) => fs.cpSync(path.join(home, '.lockstep'), path.join(h.home, '.lockstep'), { recursive: true }) };
    const trusted = await world.run('copilot', [edit], withLauncher);
    assert.equal(fs.readFileSync(fileB, 'utf8'), `${B0}\n`, 'in a trusted folder the repository hook denies the held file');
    assert.match(trusted.server.mainRequests()[1]?.text ?? '', /src\/b\.ts is held by the user/);
    await world.run('copilot', [edit], { ...withLauncher, args: untrusted });
    assert.equal(fs.readFileSync(fileB, 'utf8'), 'export const b = 9;\n', 'Copilot ran no hook: the held file was edited');
  });
});
