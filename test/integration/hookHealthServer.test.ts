// What VS Code's Sessions view shows about installed agent hooks comes from the coordinator's snapshot
// (`hooks`): a hook that would not run Lockstep must be there, per agent and file, with the reason the
// hook itself prints. Real server process, real `lockstep hooks install` by a copy of the built
// Lockstep that is then moved away (an update or a moved checkout), in a temporary home.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureBuilt, PROJECT_ROOT } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';
import { startServer } from './serverHarness';

let repo: TempRepo;
let base: string;
let env: NodeJS.ProcessEnv;

before(() => {
  ensureBuilt();
  repo = makeTempRepo({ prefix: 'lockstep-hookhealth-' });
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-hookhealth-home-')));
  const home = path.join(base, 'home');
  fs.mkdirSync(home);
  env = { HOME: home, LOCKSTEP_HOME: '', CLAUDE_CONFIG_DIR: '', CODEX_HOME: '', COPILOT_HOME: '', GEMINI_CLI_TRUSTED_FOLDERS_PATH: '', LOCKSTEP_FAIL_OPEN: '' };
});
after(() => {
  repo?.cleanup();
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

test("the coordinator's snapshot names an installed hook that would not run Lockstep, per agent and file; a working one is ok", async () => {
  const installed = path.join(base, 'lockstep-0.1.0');
  fs.cpSync(path.join(PROJECT_ROOT, 'dist'), path.join(installed, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.vsix') });
  fs.copyFileSync(path.join(PROJECT_ROOT, 'package.json'), path.join(installed, 'package.json'));
  for (const agent of ['claude', 'cursor']) {
    const r = spawnSync(process.execPath, [path.join(installed, 'dist', 'cli.js'), 'hooks', 'install', '--agent', agent, '--transport', 'command'], { cwd: repo.root, env: { ...process.env, ...env }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }

  // Working: both reported, ok.
  const healthy = await startServer({ root: repo.root, env, initializationOptions: { userSessionId: 'vscode:tester', diagnostics: false } });
  try {
    const s = await healthy.waitFor('the installed hooks checked', (x) => x.hooks.length >= 2, 30_000);
    const project = s.hooks.filter((h) => h.scope === 'project');
    assert.deepEqual(project.map((h) => [h.agent, h.ok]).sort(), [['claude', true], ['cursor', true]], JSON.stringify(project));
  } finally {
    await healthy.stop();
  }

  // Moved away: each is reported with the file and the hook's own reason.
  fs.renameSync(installed, `${installed}-moved`);
  const server = await startServer({ root: repo.root, env, initializationOptions: { userSessionId: 'vscode:tester', diagnostics: false } });
  try {
    const s = await server.waitFor('the stale hooks reported', (x) => x.hooks.filter((h) => !h.ok).length >= 2, 30_000);
    const bad = s.hooks.filter((h) => !h.ok && h.scope === 'project').sort((a, b) => a.agent.localeCompare(b.agent));
    assert.deepEqual(bad.map((h) => [h.agent, path.relative(repo.root, h.file)]), [['claude', path.join('.claude', 'settings.json')], ['cursor', path.join('.cursor', 'hooks.json')]]);
    for (const h of bad) assert.match(h.problems.join('\n'), /the hook would not run Lockstep: lockstep hook: Lockstep is no longer at .*lockstep-0\.1\.0\/dist\/cli\.js/, h.agent);
  } finally {
    await server.stop();
    fs.renameSync(`${installed}-moved`, installed);
  }
});

test('hooks installed from a terminal while VS Code runs show in its snapshot within seconds, and so does their removal', async () => {
  const fresh = makeTempRepo({ prefix: 'lockstep-hookhealth-live-' });
  const server = await startServer({ root: fresh.root, env, initializationOptions: { userSessionId: 'vscode:tester', diagnostics: false } });
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'dist', 'cli.js'), ...args], { cwd: fresh.root, env: { ...process.env, ...env }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  const gemini = (hooks: { agent: string; scope: string }[]) => hooks.some((h) => h.agent === 'gemini' && h.scope === 'project');
  try {
    await server.waitFor('the first hook check', (x) => x.revision > 0 && !gemini(x.hooks), 30_000);
    cli('hooks', 'install', '--agent', 'gemini');
    // Well under the periodic re-check (5 minutes): the hook files are watched.
    await server.waitFor('the Gemini hooks reported', (x) => gemini(x.hooks), 15_000);
    cli('hooks', 'uninstall', '--agent', 'gemini');
    await server.waitFor('the Gemini hooks gone', (x) => !gemini(x.hooks), 15_000);
  } finally {
    await server.stop();
    fresh.cleanup();
  }
});
