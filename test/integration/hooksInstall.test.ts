// `lockstep hooks install|uninstall` and `lockstep doctor` through the real CLI, with a copy of the
// built Lockstep installed in a temporary home: the installed hook command really runs Lockstep
// (allow, deny), and once that Lockstep is moved away it blocks with the reason instead of failing
// open, and the doctor names the file. No real home folder is touched.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { claudeToolPayload } from '../fixtures/hookPayloads';
import { ensureBuilt, PROJECT_ROOT, runCli } from '../helpers/cli';
import { makeTempRepo, type TempRepo } from '../helpers/tempRepo';

let repo: TempRepo;
let base: string;
let home: string;
let installed: string;
let env: NodeJS.ProcessEnv;

before(() => {
  ensureBuilt();
  repo = makeTempRepo({ prefix: 'lockstep-hooksinstall-' });
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-hooksinstall-home-')));
  home = path.join(base, 'home');
  fs.mkdirSync(home);
  // "The installed Lockstep": a copy of the build, so the test can move it away.
  installed = path.join(base, 'lockstep-0.1.0');
  fs.cpSync(path.join(PROJECT_ROOT, 'dist'), path.join(installed, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.vsix') });
  fs.copyFileSync(path.join(PROJECT_ROOT, 'package.json'), path.join(installed, 'package.json'));
  env = { HOME: home, LOCKSTEP_HOME: '', CLAUDE_CONFIG_DIR: '', CODEX_HOME: '', COPILOT_HOME: '', GEMINI_CLI_TRUSTED_FOLDERS_PATH: '', LOCKSTEP_FAIL_OPEN: '', LOCKSTEP_SESSION: '', LOCKSTEP_TASK: '' };
});
after(() => {
  repo.cleanup();
  fs.rmSync(base, { recursive: true, force: true });
});

/** The installed copy's CLI, as a user who installed it runs it. */
function installedCli(args: string[]) {
  return spawnSync(process.execPath, [path.join(installed, 'dist', 'cli.js'), ...args], { cwd: repo.root, encoding: 'utf8', env: { ...process.env, ...env } });
}

/** Runs the PreToolUse command written in Claude's settings, as Claude Code does (through a shell). */
function runInstalledClaudeHook(file: string) {
  const settings = JSON.parse(fs.readFileSync(path.join(repo.root, '.claude', 'settings.json'), 'utf8'));
  const command = settings.hooks.PreToolUse[0].hooks[0].command as string;
  const payload = claudeToolPayload('PreToolUse', 'sess-install', repo.root, path.join(repo.root, file), { tool: 'Write' });
  const r = spawnSync('/bin/sh', ['-c', command], { cwd: repo.root, input: JSON.stringify(payload), encoding: 'utf8', env: { ...process.env, ...env } });
  const decision = r.stdout.trim() ? JSON.parse(r.stdout).hookSpecificOutput?.permissionDecision : undefined;
  return { ...r, command, decision };
}

test('install writes a machine-independent command; it runs Lockstep; moved away it blocks with the reason; doctor names the file; uninstall removes it', () => {
  const r = installedCli(['hooks', 'install', '--agent', 'claude']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^installed: ${repo.root}/\\.claude/settings\\.json\\n  runs: ${home}/\\.lockstep/bin/lockstep-hook -> ${installed}/dist/cli\\.js\\n$`));
  const settingsText = fs.readFileSync(path.join(repo.root, '.claude', 'settings.json'), 'utf8');
  assert.ok(!settingsText.includes(home) && !settingsText.includes(installed) && !settingsText.includes(process.execPath), 'no machine-specific path in a committable file');

  const free = runInstalledClaudeHook('src/a.ts');
  assert.equal(free.status, 0, free.stderr);
  assert.equal(free.decision, undefined, 'a free file: no decision (allowed, the user still approves)');
  assert.equal(runCli(['claim', 'src/b.ts', '--session', 'human:other'], { cwd: repo.root, env }).status, 0);
  const held = runInstalledClaudeHook('src/b.ts');
  assert.equal(held.decision, 'deny');

  // An update or a moved checkout: the Lockstep the launcher points at is gone.
  fs.renameSync(installed, `${installed}-moved`);
  try {
    const stale = runInstalledClaudeHook('src/a.ts');
    assert.equal(stale.status, 2, 'blocks instead of failing open');
    assert.match(stale.stderr, /^lockstep hook: Lockstep is no longer at .*lockstep-0\.1\.0\/dist\/cli\.js .*so the hook blocks; run: lockstep doctor\n$/);
    const doctor = runCli(['doctor', '--check-only'], { cwd: repo.root, env });
    assert.equal(doctor.status, 1);
    assert.match(doctor.stdout, /PROBLEM {2}claude hooks \(project\) .*\.claude\/settings\.json: command hook, fails closed: onFailure "block"/);
    assert.match(doctor.stdout, /-> the hook would not run Lockstep: lockstep hook: Lockstep is no longer at /);
  } finally {
    fs.renameSync(`${installed}-moved`, installed);
  }
  const healthy = runCli(['doctor', '--check-only', '--json'], { cwd: repo.root, env });
  const claude = JSON.parse(healthy.stdout).hooks.find((h: { agent: string }) => h.agent === 'claude');
  assert.equal(claude.ok, true, JSON.stringify(claude));
  assert.equal(claude.transport, 'command');

  const un = installedCli(['hooks', 'uninstall', '--agent', 'claude']);
  assert.equal(un.status, 0, un.stderr);
  assert.match(un.stdout, /^removed Lockstep hooks from: .*\.claude\/settings\.json\n$/);
  assert.equal(fs.existsSync(path.join(repo.root, '.claude', 'settings.json')), false);
  assert.match(installedCli(['hooks', 'uninstall', '--agent', 'claude']).stdout, /^no Lockstep hooks in: /);
});

test('codex: install says the hooks need approval and a trusted project, with the step; doctor reports it', () => {
  const r = installedCli(['hooks', 'install', '--agent', 'codex']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /note: Codex runs \.codex\/hooks\.json only in a trusted project/);
  assert.match(r.stdout, /note: Codex skips 5 of Lockstep's 5 hooks .* until you approve them: run `codex` in .*, type \/hooks and approve Lockstep's hooks/);
  const hooksJson = JSON.parse(fs.readFileSync(path.join(repo.root, '.codex', 'hooks.json'), 'utf8'));
  assert.equal(hooksJson.hooks.SessionEnd[0].hooks[0].timeout, 3, 'what Codex accepts for SessionEnd');
  const doctor = runCli(['doctor', '--check-only'], { cwd: repo.root, env });
  assert.match(doctor.stdout, /PROBLEM {2}codex hooks \(project\) .*hooks\.json: command hook, fails closed when Lockstep cannot run \(exit 2\); a hook timeout lets the edit through\n.*-> Codex runs/);
  assert.equal(installedCli(['hooks', 'uninstall', '--agent', 'codex']).status, 0);
});

test('copilot: user scope writes $COPILOT_HOME/hooks/lockstep.json; project scope says the folder must be trusted', () => {
  const copilotHome = path.join(base, 'copilot-home');
  const user = spawnSync(process.execPath, [path.join(installed, 'dist', 'cli.js'), 'hooks', 'install', '--agent', 'copilot', '--scope', 'user', '--json'], {
    cwd: repo.root,
    encoding: 'utf8',
    env: { ...process.env, ...env, COPILOT_HOME: copilotHome },
  });
  assert.equal(user.status, 0, user.stderr);
  const body = JSON.parse(user.stdout);
  assert.equal(body.file, path.join(copilotHome, 'hooks', 'lockstep.json'));
  assert.deepEqual(body.notes, []);
  assert.match(JSON.parse(fs.readFileSync(body.file, 'utf8')).hooks.preToolUse[0].bash, /^LOCKSTEP_HOOK=1 sh -c /);
  const project = installedCli(['hooks', 'install', '--agent', 'copilot']);
  assert.match(project.stdout, /note: Copilot CLI ignores repository hooks \(\.github\/hooks\/lockstep\.json\) in a folder you have not trusted/);
  installedCli(['hooks', 'uninstall', '--agent', 'copilot']);
});
