// The launcher every installed hook runs (agents/install/launcher.ts), run for real with /bin/sh:
// it must reach the Lockstep the pointer names, and when that Lockstep (or the launcher itself) is gone
// block with exit 2 and a one-line reason, unless the user chose fail-open.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureLauncher, launcherHookCommand, launcherPaths, readPointer, refreshLauncherForExtension } from '../../src/agents/install/launcher';

let base: string;
let n = 0;
before(() => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-launcher-')));
});
after(() => fs.rmSync(base, { recursive: true, force: true }));

/** A stand-in dist/cli.js that echoes its arguments and stdin, and exits with $FAKE_EXIT. */
function fakeLockstep(dir: string): string {
  const cli = path.join(dir, 'dist', 'cli.js');
  fs.mkdirSync(path.dirname(cli), { recursive: true });
  fs.writeFileSync(cli, `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{process.stdout.write(JSON.stringify({args:process.argv.slice(2),stdin:s}));process.exitCode=Number(process.env.FAKE_EXIT||0)})`);
  return cli;
}

function fresh(): { home: string; env: NodeJS.ProcessEnv; cwd: string } {
  n++;
  const home = path.join(base, `home${n}`);
  const cwd = path.join(base, `cwd${n}`);
  fs.mkdirSync(home);
  fs.mkdirSync(cwd);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home };
  return { home, env, cwd };
}

function runHook(agent: 'claude' | 'codex', env: NodeJS.ProcessEnv, cwd: string, input = '{"x":1}') {
  return spawnSync('sh', ['-c', launcherHookCommand(agent)], { env, cwd, input, encoding: 'utf8' });
}

describe('hook launcher', () => {
  it('the installed command runs the Lockstep the pointer names, with the args and payload', () => {
    const { home, env, cwd } = fresh();
    const cli = fakeLockstep(path.join(home, 'v1'));
    ensureLauncher({ cliJs: cli, owner: 'cli', env });
    const r = runHook('claude', env, cwd);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { args: ['hook', '--agent', 'claude'], stdin: '{"x":1}' });
    assert.ok(!launcherHookCommand('claude').includes(home), 'the settings command names no machine path');
  });

  it('Lockstep moved away: exit 2 and the reason, until it is re-pointed; LOCKSTEP_FAIL_OPEN=1 lets it through', () => {
    const { home, env, cwd } = fresh();
    const cli = fakeLockstep(path.join(home, 'v1'));
    ensureLauncher({ cliJs: cli, owner: 'cli', env });
    fs.renameSync(path.join(home, 'v1'), path.join(home, 'moved'));
    const r = runHook('claude', env, cwd);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^lockstep hook: Lockstep is no longer at .*v1\/dist\/cli\.js .*so the hook blocks; run: lockstep doctor\n$/);
    const open = runHook('claude', { ...env, LOCKSTEP_FAIL_OPEN: '1' }, cwd);
    assert.equal(open.status, 0);
    assert.match(open.stderr, /failing open/);
    ensureLauncher({ cliJs: path.join(home, 'moved', 'dist', 'cli.js'), owner: 'cli', env });
    assert.equal(runHook('claude', env, cwd).status, 0);
  });

  it('Lockstep moved away: only a tool call is blocked; a prompt, session start or stop goes on with the reason on stderr', () => {
    const { home, env, cwd } = fresh();
    ensureLauncher({ cliJs: fakeLockstep(path.join(home, 'v1')), owner: 'cli', env });
    fs.rmSync(path.join(home, 'v1'), { recursive: true });
    for (const ev of ['UserPromptSubmit', 'Stop', 'SessionStart', 'PostToolUse']) {
      const r = runHook('claude', env, cwd, JSON.stringify({ hook_event_name: ev, session_id: 's' }));
      assert.equal(r.status, 0, ev);
      assert.equal(r.stdout, '', ev);
      assert.match(r.stderr, /Lockstep is no longer at .*; tool calls are blocked until it is fixed/, ev);
    }
    assert.equal(runHook('claude', env, cwd, '{"hook_event_name": "PreToolUse", "tool_name": "Edit"}').status, 2);
    assert.equal(runHook('codex', env, cwd, JSON.stringify({ hookEventName: 'BeforeTool' })).status, 2, 'Gemini-style gate');
    // Copilot CLI names no event and shows the model only the exit status: the denial goes on stdout.
    const pre = runHook('codex', env, cwd, JSON.stringify({ timestamp: 1, cwd, toolName: 'edit', toolArgs: '{"path":"a \\"q\\""}' }));
    assert.equal(pre.status, 0);
    const out = JSON.parse(pre.stdout) as { permissionDecision: string; permissionDecisionReason: string };
    assert.equal(out.permissionDecision, 'deny');
    assert.match(out.permissionDecisionReason, /^lockstep hook: Lockstep is no longer at .*v1\/dist\/cli\.js .*so the hook blocks/);
    const post = runHook('codex', env, cwd, JSON.stringify({ timestamp: 1, cwd, toolName: 'edit', toolArgs: '{}', toolResult: { resultType: 'success' } }));
    assert.equal(post.status, 0);
    assert.equal(post.stdout, '');
  });

  it("the repository's failOpen setting lets a broken hook through", () => {
    const { home, env, cwd } = fresh();
    execFileSync('git', ['init', '-q'], { cwd });
    fs.mkdirSync(path.join(cwd, '.git', 'lockstep'));
    fs.writeFileSync(path.join(cwd, '.git', 'lockstep', 'config.json'), '{\n  "failOpen": true\n}\n');
    ensureLauncher({ cliJs: path.join(home, 'nowhere', 'cli.js'), owner: 'cli', env });
    const r = runHook('codex', env, cwd);
    assert.equal(r.status, 0);
    assert.match(r.stderr, /failing open/);
  });

  it('no launcher at all (a teammate’s clone of committed settings): exit 2 with the fix', () => {
    const { env, cwd } = fresh();
    const r = runHook('codex', env, cwd);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^lockstep hook: Lockstep is not installed for this user \(.*\/\.lockstep\/bin\/lockstep-hook is missing\), so the hook blocks: install Lockstep and run: lockstep hooks install --agent codex; or set LOCKSTEP_FAIL_OPEN=1\n$/);
    assert.equal(runHook('codex', { ...env, LOCKSTEP_FAIL_OPEN: '1' }, cwd).status, 0);
  });

  it('LOCKSTEP_HOME moves the launcher', () => {
    const { home, env, cwd } = fresh();
    const lhome = path.join(home, 'elsewhere');
    const e = { ...env, LOCKSTEP_HOME: lhome };
    ensureLauncher({ cliJs: fakeLockstep(path.join(home, 'v1')), owner: 'cli', env: e });
    assert.ok(fs.existsSync(path.join(lhome, 'bin', 'lockstep-hook')));
    assert.equal(runHook('claude', e, cwd).status, 0);
    assert.equal(runHook('claude', env, cwd).status, 2, 'not found under ~/.lockstep');
  });

  it('a runtime that is gone falls back to node on PATH; a Lockstep that crashes (exit 1) blocks', () => {
    const { home, env, cwd } = fresh();
    const cli = fakeLockstep(path.join(home, 'v1'));
    ensureLauncher({ cliJs: cli, owner: 'cli', env, runtime: { execPath: path.join(home, 'old-node', 'bin', 'node'), electron: false } });
    const e = { ...env, PATH: `${path.dirname(process.execPath)}:${env.PATH}` };
    assert.equal(runHook('claude', e, cwd).status, 0);
    const crash = runHook('claude', { ...e, FAKE_EXIT: '1' }, cwd);
    assert.equal(crash.status, 2);
    assert.match(crash.stderr, /lockstep hook: Lockstep exited with status 1, so the hook blocks/);
    assert.equal(runHook('claude', { ...e, FAKE_EXIT: '2' }, cwd).status, 2, "Lockstep's own denial passes through");
  });

  it('a second install changes nothing; the extension re-points only its own or a dead pointer', () => {
    const { home, env } = fresh();
    const cliV1 = fakeLockstep(path.join(home, 'cli'));
    assert.equal(ensureLauncher({ cliJs: cliV1, owner: 'cli', env }).changed, true);
    assert.equal(ensureLauncher({ cliJs: cliV1, owner: 'cli', env }).changed, false);
    const ext2 = fakeLockstep(path.join(home, 'ext-0.2'));
    // A live command-line install stays.
    assert.equal(refreshLauncherForExtension({ cliJs: ext2, env }).changed, false);
    // Once it is gone, the extension takes over.
    fs.rmSync(path.join(home, 'cli'), { recursive: true });
    const r = refreshLauncherForExtension({ cliJs: ext2, env });
    assert.equal(r.changed, true);
    assert.match(r.reason ?? '', /is gone/);
    assert.equal(readPointer(launcherPaths(env).pointer)?.cliJs, ext2);
    // An extension update re-points the extension's own pointer.
    const ext3 = fakeLockstep(path.join(home, 'ext-0.3'));
    assert.equal(refreshLauncherForExtension({ cliJs: ext3, env }).changed, true);
    assert.equal(readPointer(launcherPaths(env).pointer)?.cliJs, ext3);
  });

  it('the extension writes nothing for a user who never installed hooks', () => {
    const { home, env } = fresh();
    assert.equal(refreshLauncherForExtension({ cliJs: fakeLockstep(path.join(home, 'ext')), env }).changed, false);
    assert.equal(fs.existsSync(path.join(home, '.lockstep')), false);
  });
});
