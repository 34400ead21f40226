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

/** The .mcp.json server names no path of this machine, and it starts the installed Lockstep's MCP server (answers initialize). */
function assertLauncherMcpServer(mcpFile: string) {
  const text = fs.readFileSync(mcpFile, 'utf8');
  assert.ok(!text.includes(home) && !text.includes(installed) && !text.includes(process.execPath), `no machine-specific path in a committable file: ${text}`);
  const entry = JSON.parse(text).mcpServers.lockstep;
  const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '0' } } };
  const r = spawnSync(entry.command, entry.args, { cwd: repo.root, input: `${JSON.stringify(init)}\n`, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
  assert.match(r.stdout, /"serverInfo":\{"name":"lockstep"/, `${entry.command} ${entry.args.join(' ')}: ${r.stderr}`);
}

test('install writes a machine-independent command; it runs Lockstep; moved away it blocks with the reason; doctor names the file; uninstall removes it', () => {
  const r = installedCli(['hooks', 'install', '--agent', 'claude', '--transport', 'command']);
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
  // An install from before userPromptSubmitted carried decisions and messages: doctor names the missing event.
  const hooksFile = path.join(repo.root, '.github', 'hooks', 'lockstep.json');
  const doctorNotes = () => (JSON.parse(runCli(['doctor', '--check-only', '--json'], { cwd: repo.root, env }).stdout).hooks as Array<{ agent: string; scope: string; notes: string[] }>).find((h) => h.agent === 'copilot' && h.scope === 'project')!.notes.join('\n');
  assert.doesNotMatch(doctorNotes(), /no Lockstep hook on/);
  const old = JSON.parse(fs.readFileSync(hooksFile, 'utf8'));
  delete old.hooks.userPromptSubmitted;
  fs.writeFileSync(hooksFile, JSON.stringify(old));
  assert.match(doctorNotes(), /no Lockstep hook on userPromptSubmitted \(installed by an older Lockstep\): run lockstep hooks install --agent copilot to add it/);
  installedCli(['hooks', 'install', '--agent', 'copilot']);
  assert.doesNotMatch(doctorNotes(), /no Lockstep hook on/);
  installedCli(['hooks', 'uninstall', '--agent', 'copilot']);
});

test('claude --transport mcp: tool-call events become mcp_tool hooks on the registered lockstep server, PreToolUse blocking on failure; doctor reports the transport; bad combinations change nothing', () => {
  const settingsFile = path.join(repo.root, '.claude', 'settings.json');
  const mcpFile = path.join(repo.root, '.mcp.json');
  for (const [args, message] of [
    [['--agent', 'codex', '--transport', 'mcp'], /^lockstep: --transport mcp: only Claude Code's hooks can call an MCP tool; codex keeps command hooks \(omit --transport\)\n$/],
    [['--agent', 'claude', '--transport', 'mcp', '--scope', 'user'], /^lockstep: --transport mcp: .*use --scope project\n$/],
    [['--agent', 'claude', '--transport', 'http'], /^lockstep: --transport 'http': expected command or mcp\n$/],
  ] as const) {
    const bad = installedCli(['hooks', 'install', ...args]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, message);
    assert.equal(fs.existsSync(settingsFile) || fs.existsSync(mcpFile) || fs.existsSync(path.join(repo.root, '.codex', 'hooks.json')), false, 'nothing written');
  }

  const r = installedCli(['hooks', 'install', '--agent', 'claude', '--transport', 'mcp']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /tool calls and prompts: mcp_tool hooks served by the lockstep MCP server/);
  assert.match(r.stdout, /registered the lockstep MCP server: .*\.mcp\.json/);
  const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
  const pre = settings.hooks.PreToolUse[0].hooks;
  assert.equal(pre.length, 1, 'no command hook beside it (one process per event is what this saves)');
  assert.deepEqual({ ...pre[0], input: undefined }, { type: 'mcp_tool', server: 'lockstep', tool: 'hook_decide', input: undefined, timeout: 15, onFailure: 'block' });
  assert.equal(pre[0].input.tool_input, '${tool_input}');
  assert.equal(settings.hooks.PostToolUse[0].hooks[0].type, 'mcp_tool');
  assert.equal(settings.hooks.PostToolUse[0].hooks[0].onFailure, 'continue', 'recording an edit never blocks (said explicitly)');
  assert.match(settings.hooks.SessionStart[0].hooks[0].command, /^LOCKSTEP_HOOK=1 /, 'session events keep the command hook');
  assertLauncherMcpServer(mcpFile);
  const bytes = fs.readFileSync(settingsFile, 'utf8');
  assert.match(installedCli(['hooks', 'install', '--agent', 'claude', '--transport', 'mcp']).stdout, /^already installed: /);
  assert.equal(fs.readFileSync(settingsFile, 'utf8'), bytes);

  const doctorHooks = () => JSON.parse(runCli(['doctor', '--check-only', '--json'], { cwd: repo.root, env }).stdout).hooks.find((h: { agent: string }) => h.agent === 'claude');
  let claude = doctorHooks();
  assert.deepEqual([claude.transport, claude.failsClosed, claude.ok], ['mcp_tool', true, true], JSON.stringify(claude));
  const text = runCli(['doctor', '--check-only'], { cwd: repo.root, env }).stdout;
  assert.match(text, /ok {7}claude hooks \(project\) .*settings\.json: mcp_tool hook, fails closed: PreToolUse is an mcp_tool hook with onFailure "block"/);

  // Claude Code was told not to run the server (its answer in ~/.claude.json): every edit is blocked; the doctor says so.
  const claudeJson = path.join(home, '.claude.json');
  fs.writeFileSync(claudeJson, JSON.stringify({ projects: { [repo.root]: { disabledMcpjsonServers: ['lockstep'] } } }));
  claude = doctorHooks();
  assert.equal(claude.ok, false);
  assert.match(claude.problems.join('\n'), /Claude Code was told not to run the lockstep MCP server here \(.*\.claude\.json \(disabledMcpjsonServers of .*\)\), so every edit is blocked: approve it in Claude Code \(\/mcp\), or go back to command hooks: lockstep hooks install --agent claude --transport command$/m);
  fs.writeFileSync(claudeJson, JSON.stringify({ projects: { [repo.root]: { enabledMcpjsonServers: ['lockstep'] } } }));
  assert.equal(doctorHooks().ok, true);
  fs.rmSync(claudeJson);

  // The server unregistered: every edit would be blocked; the doctor says so and how to fix it.
  assert.equal(installedCli(['hooks', 'remove-mcp', '--agent', 'claude']).status, 0);
  claude = doctorHooks();
  assert.equal(claude.ok, false);
  assert.match(claude.problems.join('\n'), /which .*\.mcp\.json does not register, so every edit is blocked: run lockstep hooks install --agent claude --transport mcp/);

  // Back to command hooks: the mcp_tool handlers are replaced in place.
  assert.equal(installedCli(['hooks', 'install', '--agent', 'claude', '--transport', 'command']).status, 0);
  const back = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
  assert.deepEqual(Object.values(back.hooks).flatMap((groups: any) => groups.flatMap((g: any) => g.hooks.map((h: any) => h.type))), Array(10).fill('command'), 'nine event hooks and the asyncRewake Stop hook that wakes an idle session');
  claude = doctorHooks();
  assert.deepEqual([claude.transport, claude.failsClosed], ['command', true]);

  assert.equal(installedCli(['hooks', 'install', '--agent', 'claude', '--transport', 'mcp']).status, 0);
  assert.equal(installedCli(['hooks', 'uninstall', '--agent', 'claude']).status, 0);
  assert.equal(fs.existsSync(settingsFile), false, 'uninstall removes the mcp_tool hooks too');
  assert.equal(installedCli(['hooks', 'remove-mcp', '--agent', 'claude']).status, 0);
});

test('claude --transport mcp with a Claude Code too old for mcp_tool hooks: install refuses and changes nothing; doctor names it on an existing install', () => {
  const settingsFile = path.join(repo.root, '.claude', 'settings.json');
  const bin = path.join(base, 'old-claude-bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'claude'), '#!/bin/sh\necho "2.0.14 (Claude Code)"\n', { mode: 0o755 });
  const withOld = { ...env, PATH: `${bin}${path.delimiter}${process.env.PATH}` };
  const cli = (args: string[]) => spawnSync(process.execPath, [path.join(installed, 'dist', 'cli.js'), ...args], { cwd: repo.root, encoding: 'utf8', env: { ...process.env, ...withOld } });
  const refused = cli(['hooks', 'install', '--agent', 'claude', '--transport', 'mcp']);
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /^lockstep: --transport mcp: Claude Code 2\.0\.14 \(.*old-claude-bin\/claude\) does not run mcp_tool hooks \(they need 2\.1\.328\+\), so its edits would go unchecked; upgrade it, or use command hooks \(--transport command\); nothing was changed\n$/);
  assert.equal(fs.existsSync(settingsFile) || fs.existsSync(path.join(repo.root, '.mcp.json')), false, 'nothing written');
  // Without --transport, that Claude Code gets command hooks, and the install says why.
  const fallback = cli(['hooks', 'install', '--agent', 'claude']);
  assert.equal(fallback.status, 0, fallback.stderr);
  assert.match(fallback.stdout, /\n {2}tool calls: command hooks \(Claude Code 2\.0\.14 \(.*\) does not run mcp_tool hooks \(they need 2\.1\.328\+\), so its edits would go unchecked; command hooks\)\n/);
  assert.equal(JSON.parse(fs.readFileSync(settingsFile, 'utf8')).hooks.PreToolUse[0].hooks[0].type, 'command');
  assert.equal(fs.existsSync(path.join(repo.root, '.mcp.json')), false, 'no server registered for command hooks');

  // Installed with mcp_tool hooks where a new Claude Code was on PATH; then an old one is what runs.
  assert.equal(installedCli(['hooks', 'install', '--agent', 'claude', '--transport', 'mcp']).status, 0);
  const doctor = JSON.parse(runCli(['doctor', '--check-only', '--json'], { cwd: repo.root, env: withOld }).stdout).hooks.find((h: { agent: string }) => h.agent === 'claude');
  assert.equal(doctor.ok, false);
  assert.match(doctor.problems.join('\n'), /Claude Code 2\.0\.14 .* does not run mcp_tool hooks .*: upgrade Claude Code, or go back to command hooks: lockstep hooks install --agent claude --transport command/);
  assert.equal(installedCli(['hooks', 'uninstall', '--agent', 'claude']).status, 0);
  assert.equal(installedCli(['hooks', 'remove-mcp', '--agent', 'claude']).status, 0);
});

test('claude without --transport, the real Claude Code 2.1.328 on PATH: mcp_tool hooks, the server registered and pre-approved in the local settings (merged, once); uninstall gives the bytes back', () => {
  const settingsFile = path.join(repo.root, '.claude', 'settings.json');
  const localFile = path.join(repo.root, '.claude', 'settings.local.json');
  const mcpFile = path.join(repo.root, '.mcp.json');
  const bin = path.join(base, 'claude-bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'claude'), path.join(bin, 'claude'));
  const withClaude = { ...env, PATH: `${bin}${path.delimiter}${process.env.PATH}` };
  const cli = (args: string[]) => spawnSync(process.execPath, [path.join(installed, 'dist', 'cli.js'), ...args], { cwd: repo.root, encoding: 'utf8', env: { ...process.env, ...withClaude } });
  // The user's own local settings: kept as they are.
  const mine = '{\n  "permissions": { "allow": ["Bash(ls)"] },\n  "enabledMcpjsonServers": ["other"]\n}\n';
  fs.mkdirSync(path.dirname(localFile), { recursive: true });
  fs.writeFileSync(localFile, mine);
  const exclude = path.join(repo.root, '.git', 'info', 'exclude');
  const excludeBefore = fs.existsSync(exclude) ? fs.readFileSync(exclude, 'utf8') : undefined;
  try {
    const r = cli(['hooks', 'install', '--agent', 'claude']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /tool calls and prompts: mcp_tool hooks served by the lockstep MCP server/);
    assert.match(r.stdout, /\npre-approved the lockstep MCP server for Claude Code: .*\.claude\/settings\.local\.json\n$/);
    assert.doesNotMatch(r.stdout, /asks once to approve/, 'nothing left for the user to approve');
    assert.deepEqual(JSON.parse(fs.readFileSync(settingsFile, 'utf8')).hooks.PreToolUse[0].hooks.map((h: { type: string; onFailure: string }) => [h.type, h.onFailure]), [['mcp_tool', 'block']]);
    assertLauncherMcpServer(mcpFile);
    const local = JSON.parse(fs.readFileSync(localFile, 'utf8'));
    assert.deepEqual(local, { permissions: { allow: ['Bash(ls)'] }, enabledMcpjsonServers: ['other', 'lockstep'] });
    const bytes = fs.readFileSync(localFile, 'utf8');
    assert.match(cli(['hooks', 'install', '--agent', 'claude']).stdout, /^already installed: /);
    assert.equal(fs.readFileSync(localFile, 'utf8'), bytes, 'a second install changes no byte');
    // From a terminal with no claude on PATH (Claude Code started by an IDE, say): the mcp_tool hooks are kept, said so.
    const noClaude = spawnSync(process.execPath, [path.join(installed, 'dist', 'cli.js'), 'hooks', 'install', '--agent', 'claude'], { cwd: repo.root, encoding: 'utf8', env: { ...process.env, ...env, PATH: `${path.dirname(process.execPath)}${path.delimiter}/usr/bin${path.delimiter}/bin` } });
    assert.equal(noClaude.status, 0, noClaude.stderr);
    assert.match(noClaude.stdout, /^already installed: .*\n {2}tool calls and prompts: mcp_tool hooks .*; no claude on PATH, so its version .* was not checked; kept the mcp_tool hooks .*settings\.json already has\n/);
    assert.equal(fs.readFileSync(localFile, 'utf8'), bytes);

    const doctor = JSON.parse(runCli(['doctor', '--check-only', '--json'], { cwd: repo.root, env: withClaude }).stdout).hooks.find((h: { agent: string }) => h.agent === 'claude');
    assert.deepEqual([doctor.transport, doctor.failsClosed, doctor.ok], ['mcp_tool', true, true], JSON.stringify(doctor));
    assert.doesNotMatch(doctor.notes.join('\n'), /asks once/);

    const un = cli(['hooks', 'uninstall', '--agent', 'claude']);
    assert.equal(un.status, 0, un.stderr);
    assert.match(un.stdout, /removed the lockstep MCP server from .*\.mcp\.json\nremoved the lockstep MCP server's pre-approval from .*settings\.local\.json\n$/);
    assert.equal(fs.readFileSync(localFile, 'utf8'), mine, "the user's local settings, byte for byte");
    assert.equal(fs.existsSync(exclude) ? fs.readFileSync(exclude, 'utf8') : undefined, excludeBefore, 'and git shows the file again, as before');
    assert.equal(fs.existsSync(mcpFile) || fs.existsSync(settingsFile), false);

    // A local settings file holding nothing else goes with the approval. While there, git ignores it
    // (info/exclude): nobody commits it, and it is no unleased edit.
    fs.rmSync(localFile);
    assert.equal(cli(['hooks', 'install', '--agent', 'claude']).status, 0);
    assert.deepEqual(JSON.parse(fs.readFileSync(localFile, 'utf8')), { enabledMcpjsonServers: ['lockstep'] });
    assert.doesNotMatch(repo.git('status', '--porcelain', '--untracked-files=all'), /settings\.local\.json/);
    assert.doesNotMatch(runCli(['status'], { cwd: repo.root, env }).stdout, /settings\.local\.json/, 'not an unleased edit');
    assert.equal(cli(['hooks', 'uninstall', '--agent', 'claude']).status, 0);
    assert.equal(fs.existsSync(localFile), false);
    assert.equal(fs.existsSync(exclude) ? fs.readFileSync(exclude, 'utf8') : undefined, excludeBefore, 'the exclude line went with it');

    // The user told Claude Code not to run the server: the default keeps command hooks and says why; nothing is approved.
    fs.writeFileSync(localFile, '{ "disabledMcpjsonServers": ["lockstep"] }\n');
    const rejected = cli(['hooks', 'install', '--agent', 'claude']);
    assert.match(rejected.stdout, /tool calls: command hooks \(Claude Code was told not to run the lockstep MCP server here \(.*settings\.local\.json \(disabledMcpjsonServers\)\); command hooks\)/);
    assert.equal(fs.readFileSync(localFile, 'utf8'), '{ "disabledMcpjsonServers": ["lockstep"] }\n');
    assert.equal(fs.existsSync(mcpFile), false);
    assert.equal(cli(['hooks', 'uninstall', '--agent', 'claude']).status, 0);

    // A local settings file that is not JSON: one line, nothing written.
    fs.writeFileSync(localFile, '{ "enabledMcpjsonServers": [ }');
    const bad = cli(['hooks', 'install', '--agent', 'claude']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /^lockstep: .*settings\.local\.json: not valid JSON .*nothing was changed\n$/);
    assert.equal(fs.existsSync(settingsFile) || fs.existsSync(mcpFile), false, 'nothing written');

    // User scope: the server is registered per repository, so command hooks, said so.
    const user = cli(['hooks', 'install', '--agent', 'claude', '--scope', 'user']);
    assert.equal(user.status, 0, user.stderr);
    assert.match(user.stdout, /tool calls: command hooks \(user scope: /);
    assert.equal(cli(['hooks', 'uninstall', '--agent', 'claude', '--scope', 'user']).status, 0);
  } finally {
    fs.rmSync(localFile, { force: true });
  }
});

test('claude --mcp with a custom --command: the registered server still finds this Lockstep (the launcher pointer is written)', () => {
  const lockstepHome = path.join(base, 'lockstep-home-custom');
  const run = (args: string[]) => spawnSync(process.execPath, [path.join(installed, 'dist', 'cli.js'), ...args], { cwd: repo.root, encoding: 'utf8', env: { ...process.env, ...env, LOCKSTEP_HOME: lockstepHome } });
  const r = run(['hooks', 'install', '--agent', 'claude', '--transport', 'command', '--command', 'lockstep hook --agent claude', '--mcp']);
  assert.equal(r.status, 0, r.stderr);
  const saved = env.LOCKSTEP_HOME;
  env.LOCKSTEP_HOME = lockstepHome;
  try {
    assertLauncherMcpServer(path.join(repo.root, '.mcp.json'));
  } finally {
    env.LOCKSTEP_HOME = saved;
  }
  assert.equal(run(['hooks', 'uninstall', '--agent', 'claude']).status, 0);
  assert.equal(run(['hooks', 'remove-mcp', '--agent', 'claude']).status, 0);
  assert.equal(fs.existsSync(path.join(repo.root, '.mcp.json')), false);
});

test('audit: every agent\'s installed hooks, per doctor: the transport and whether every failure blocks the edit (Codex and Copilot CLI let a timeout through, and doctor says so); blocking hooks carry a timeout where the agent takes one', () => {
  const agents = ['claude', 'codex', 'gemini', 'copilot', 'cursor', 'cline', 'windsurf'] as const;
  // The command path of every agent (Claude Code's default mcp_tool path is audited above).
  for (const a of agents) assert.equal(installedCli(['hooks', 'install', '--agent', a, '--transport', 'command']).status, 0, a);
  try {
    const hooks = JSON.parse(runCli(['doctor', '--check-only', '--json'], { cwd: repo.root, env }).stdout).hooks as Array<{ agent: string; scope: string; transport: string; failsClosed: boolean; failure: string }>;
    const seen = Object.fromEntries(hooks.filter((h) => h.scope === 'project').map((h) => [h.agent, [h.transport, h.failsClosed]]));
    assert.deepEqual(seen, {
      claude: ['command', true],
      codex: ['command', false],
      gemini: ['command', true],
      copilot: ['command', false],
      cursor: ['command', true],
      cline: ['command', true],
      windsurf: ['command', true],
    });
    for (const h of hooks) assert.match(h.failure, h.failsClosed ? /^fails closed/ : /lets? the edit through/, `${h.agent}: ${h.failure}`);
    const json = (f: string) => JSON.parse(fs.readFileSync(path.join(repo.root, f), 'utf8'));
    const claudePre = json('.claude/settings.json').hooks.PreToolUse[0].hooks[0];
    assert.deepEqual([claudePre.onFailure, claudePre.timeout], ['block', 15]);
    assert.equal(json('.codex/hooks.json').hooks.PreToolUse[0].hooks[0].timeout, 30);
    assert.equal(json('.gemini/settings.json').hooks.BeforeTool[0].hooks[0].timeout, 30_000);
    assert.equal(json('.github/hooks/lockstep.json').hooks.preToolUse[0].timeoutSec, 30);
  } finally {
    for (const a of agents) installedCli(['hooks', 'uninstall', '--agent', a]);
  }
});
