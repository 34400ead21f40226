import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HookInstallError, installHooks, isLockstepHookCommand, uninstallHooks, type HookInstallOptions } from '../../src/agents/hookInstall';
import type { AgentName } from '../../src/core/model';

let base: string;
let repo: string;
let home: string;
let n = 0;

before(() => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-hookinstall-')));
});
after(() => fs.rmSync(base, { recursive: true, force: true }));

/** A fresh repo folder and home folder per test. */
function fresh(): void {
  n++;
  repo = path.join(base, `repo${n}`);
  home = path.join(base, `home${n}`);
  fs.mkdirSync(repo);
  fs.mkdirSync(home);
}

const opts = (agent: AgentName, extra: Partial<HookInstallOptions> = {}): HookInstallOptions => ({
  agent,
  scope: 'project',
  repoRoot: repo,
  command: `lockstep hook --agent ${agent}`,
  home,
  ...extra,
});

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, any>;
/** The command as installed: Lockstep's marker in front. */
const marked = (agent: string) => `LOCKSTEP_HOOK=1 lockstep hook --agent ${agent}`;
const claudePre = (agent = 'claude') => ({ type: 'command', command: marked(agent), timeout: 15, onFailure: 'block' });
const claudeHook = (agent = 'claude') => ({ type: 'command', command: marked(agent), timeout: 30 });

const USER_CLAUDE_SETTINGS = {
  permissions: { allow: ['Bash(npm test:*)'], deny: ['Read(./.env)'] },
  env: { FOO: 'bar' },
  hooks: {
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/usr/local/bin/audit-bash.sh' }] }],
    PostToolUse: [{ matcher: 'Edit|Write', hooks: [{ type: 'command', command: 'npx prettier --write "$CLAUDE_FILE"' }] }],
    Notification: [{ hooks: [{ type: 'command', command: 'notify-send claude' }] }],
  },
};

describe('installHooks: Claude settings merge', () => {
  it("adds Lockstep's hooks and keeps every user hook and setting", () => {
    fresh();
    const file = path.join(repo, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, `${JSON.stringify(USER_CLAUDE_SETTINGS, null, 2)}\n`);
    const r = installHooks(opts('claude'));
    assert.deepEqual(r, { file, changed: true });
    const s = readJson(file);
    assert.deepEqual(s.permissions, USER_CLAUDE_SETTINGS.permissions);
    assert.deepEqual(s.env, USER_CLAUDE_SETTINGS.env);
    assert.deepEqual(s.hooks.Notification, USER_CLAUDE_SETTINGS.hooks.Notification);
    assert.deepEqual(s.hooks.PreToolUse[0], USER_CLAUDE_SETTINGS.hooks.PreToolUse[0]);
    assert.deepEqual(s.hooks.PreToolUse[1], { matcher: 'Edit|Write|MultiEdit|NotebookEdit|Bash|Task|Agent', hooks: [claudePre()] });
    assert.deepEqual(s.hooks.PostToolUse[0], USER_CLAUDE_SETTINGS.hooks.PostToolUse[0]);
    assert.deepEqual(s.hooks.PostToolUse[1].hooks[0], claudeHook());
    for (const ev of ['SessionStart', 'SessionEnd', 'UserPromptSubmit']) assert.deepEqual(s.hooks[ev], [{ hooks: [claudeHook()] }], ev);
  });

  it('a second install changes no byte (changed=false, same mtime and content)', () => {
    fresh();
    const first = installHooks(opts('claude'));
    const bytes = fs.readFileSync(first.file);
    const mtime = fs.statSync(first.file).mtimeMs;
    const second = installHooks(opts('claude'));
    assert.equal(second.changed, false);
    assert.ok(fs.readFileSync(first.file).equals(bytes));
    assert.equal(fs.statSync(first.file).mtimeMs, mtime);
  });

  it('a reinstall with another command replaces the entry in place instead of adding one', () => {
    fresh();
    installHooks(opts('claude'));
    const r = installHooks(opts('claude', { command: "'/usr/bin/node' '/opt/lockstep/dist/cli.js' hook --agent claude" }));
    assert.equal(r.changed, true);
    const s = readJson(r.file);
    assert.equal(s.hooks.PreToolUse.length, 1);
    assert.equal(s.hooks.PreToolUse[0].hooks[0].command, "LOCKSTEP_HOOK=1 '/usr/bin/node' '/opt/lockstep/dist/cli.js' hook --agent claude");
  });

  it('keeps the file’s indentation', () => {
    fresh();
    const file = path.join(repo, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, `${JSON.stringify({ model: 'opus' }, null, 4)}\n`);
    installHooks(opts('claude'));
    assert.match(fs.readFileSync(file, 'utf8'), /^\{\n {4}"model": "opus",\n {4}"hooks"/);
  });

  it('uninstall removes only Lockstep, giving back the original bytes', () => {
    fresh();
    const file = path.join(repo, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(file));
    const original = `${JSON.stringify(USER_CLAUDE_SETTINGS, null, 2)}\n`;
    fs.writeFileSync(file, original);
    installHooks(opts('claude'));
    assert.equal(uninstallHooks(opts('claude')).changed, true);
    assert.equal(fs.readFileSync(file, 'utf8'), original);
    assert.equal(uninstallHooks(opts('claude')).changed, false);
    assert.equal(fs.readFileSync(file, 'utf8'), original);
  });

  it("uninstall keeps a user's hook that shares a group with Lockstep's", () => {
    fresh();
    const file = path.join(repo, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(file));
    const shared = { hooks: { PreToolUse: [{ matcher: 'Edit', hooks: [{ type: 'command', command: marked('claude') }, { type: 'command', command: './mine.sh' }] }] } };
    fs.writeFileSync(file, JSON.stringify(shared));
    uninstallHooks(opts('claude'));
    assert.deepEqual(readJson(file), { hooks: { PreToolUse: [{ matcher: 'Edit', hooks: [{ type: 'command', command: './mine.sh' }] }] } });
  });
});

describe('installHooks: malformed configuration is left untouched', () => {
  for (const [label, text, message] of [
    ['invalid JSON', '{ "hooks": { "PreToolUse": [ ', /settings\.json: not valid JSON \(\w+ at line 1, column \d+\); fix it by hand, nothing was changed$/],
    ['a trailing comma', '{ "model": "opus", }', /settings\.json: not valid JSON \(\w+ at line 1, column \d+\); fix it by hand, nothing was changed$/],
    ['a non-object root', '[1, 2]', /settings\.json: must hold a JSON object; nothing was changed$/],
    ['hooks not an object', '{"hooks": []}', /settings\.json: "hooks" must be an object; nothing was changed$/],
    ['an event not an array', '{"hooks": {"PreToolUse": {"matcher": "Edit"}}}', /settings\.json: "hooks\.PreToolUse" must be an array; nothing was changed$/],
  ] as const) {
    it(`${label}: one-line error, same bytes`, () => {
      fresh();
      const file = path.join(repo, '.claude', 'settings.json');
      fs.mkdirSync(path.dirname(file));
      fs.writeFileSync(file, text);
      assert.throws(
        () => installHooks(opts('claude')),
        (e: unknown) => e instanceof HookInstallError && message.test(e.message) && !e.message.includes('\n'),
      );
      assert.equal(fs.readFileSync(file, 'utf8'), text);
      // Uninstall either refuses the same way or finds nothing of Lockstep's: the bytes stay.
      try {
        assert.equal(uninstallHooks(opts('claude')).changed, false);
      } catch (e) {
        assert.ok(e instanceof HookInstallError && message.test(e.message));
      }
      assert.equal(fs.readFileSync(file, 'utf8'), text);
    });
  }
});

describe('installHooks: every agent', () => {
  const expected: Record<string, { file: string; check: (data: Record<string, any>, command: string) => void }> = {
    codex: {
      file: '.codex/hooks.json',
      check: (d, c) => {
        assert.deepEqual(d.hooks.PreToolUse, [{ matcher: 'apply_patch|Bash', hooks: [{ type: 'command', command: c, timeout: 30 }] }]);
        assert.equal(d.hooks.PostToolUse[0].matcher, 'apply_patch|Bash');
        assert.ok(d.hooks.SessionStart && d.hooks.UserPromptSubmit);
        // Codex clamps SessionEnd to 3 s and warns on every run when asked for more.
        assert.deepEqual(d.hooks.SessionEnd, [{ hooks: [{ type: 'command', command: c, timeout: 3 }] }]);
      },
    },
    gemini: {
      file: '.gemini/settings.json',
      check: (d, c) => {
        assert.deepEqual(d.hooks.BeforeTool, [{ matcher: 'write_file|replace|run_shell_command|invoke_agent|delegate_to_agent', hooks: [{ type: 'command', command: c, timeout: 30000, name: 'lockstep' }] }]);
        assert.equal(d.hooks.AfterTool[0].matcher, 'write_file|replace|run_shell_command|invoke_agent|delegate_to_agent');
        assert.ok(d.hooks.SessionStart && d.hooks.SessionEnd && d.hooks.BeforeAgent);
      },
    },
    copilot: {
      file: '.github/hooks/lockstep.json',
      check: (d, c) => {
        assert.equal(d.version, 1);
        for (const ev of ['preToolUse', 'postToolUse', 'sessionStart', 'sessionEnd', 'userPromptSubmitted']) assert.deepEqual(d.hooks[ev], [{ type: 'command', bash: c, timeoutSec: 30 }], ev);
      },
    },
    vscode: {
      file: '.github/hooks/lockstep.json',
      check: (d, c) => assert.deepEqual(d.hooks.preToolUse, [{ type: 'command', bash: c, timeoutSec: 30 }]),
    },
    cursor: {
      file: '.cursor/hooks.json',
      check: (d, c) => {
        assert.equal(d.version, 1);
        for (const ev of ['preToolUse', 'beforeShellExecution', 'afterFileEdit', 'postToolUse', 'sessionStart', 'sessionEnd']) assert.deepEqual(d.hooks[ev], [{ command: c }], ev);
      },
    },
    windsurf: {
      file: '.windsurf/hooks.json',
      check: (d, c) => {
        assert.deepEqual(d.hooks.pre_write_code, [{ command: c, show_output: true }]);
        assert.deepEqual(d.hooks.post_write_code, [{ command: c }]);
        assert.deepEqual(d.hooks.pre_run_command, [{ command: c, show_output: true }]);
        assert.deepEqual(d.hooks.post_run_command, [{ command: c }]);
      },
    },
  };
  for (const [agent, { file, check }] of Object.entries(expected)) {
    it(`${agent}: writes ${file}, idempotent, uninstall removes it all`, () => {
      fresh();
      const o = opts(agent as AgentName);
      const r = installHooks(o);
      assert.deepEqual(r, { file: path.join(repo, file), changed: true });
      check(readJson(r.file), marked(agent));
      const bytes = fs.readFileSync(r.file);
      assert.equal(installHooks(o).changed, false);
      assert.ok(fs.readFileSync(r.file).equals(bytes));
      assert.equal(uninstallHooks(o).changed, true);
      const left = fs.existsSync(r.file) ? readJson(r.file) : {};
      assert.equal(JSON.stringify(left).includes('lockstep hook'), false);
      assert.equal(fs.existsSync(r.file), false, 'a file holding only what Lockstep wrote is removed');
    });
  }

  it("merges into a user's Cursor hooks.json and Copilot hook file without dropping entries", () => {
    fresh();
    const cursorFile = path.join(repo, '.cursor', 'hooks.json');
    fs.mkdirSync(path.dirname(cursorFile));
    fs.writeFileSync(cursorFile, JSON.stringify({ version: 1, hooks: { afterFileEdit: [{ command: './format.sh' }], beforeShellExecution: [{ command: './guard.sh' }] } }));
    installHooks(opts('cursor'));
    const d = readJson(cursorFile);
    assert.deepEqual(d.hooks.afterFileEdit, [{ command: './format.sh' }, { command: marked('cursor') }]);
    assert.deepEqual(d.hooks.beforeShellExecution, [{ command: './guard.sh' }, { command: marked('cursor') }]);
    uninstallHooks(opts('cursor'));
    assert.deepEqual(readJson(cursorFile), { version: 1, hooks: { afterFileEdit: [{ command: './format.sh' }], beforeShellExecution: [{ command: './guard.sh' }] } });
  });

  it('VS Code and Copilot CLI share one .github/hooks entry (the payload tells them apart)', () => {
    fresh();
    installHooks(opts('copilot'));
    const r = installHooks(opts('vscode'));
    const d = readJson(r.file);
    assert.equal(d.hooks.preToolUse.length, 1);
    assert.equal(d.hooks.preToolUse[0].bash, marked('vscode'));
  });

  it('user scope: home-relative files, Copilot CLI under $COPILOT_HOME/hooks', () => {
    fresh();
    assert.equal(installHooks(opts('cursor', { scope: 'user' })).file, path.join(home, '.cursor', 'hooks.json'));
    assert.equal(installHooks(opts('codex', { scope: 'user' })).file, path.join(home, '.codex', 'hooks.json'));
    assert.equal(installHooks(opts('claude', { scope: 'user' })).file, path.join(home, '.claude', 'settings.json'));
    assert.equal(installHooks(opts('gemini', { scope: 'user' })).file, path.join(home, '.gemini', 'settings.json'));
    assert.equal(installHooks(opts('windsurf', { scope: 'user' })).file, path.join(home, '.codeium', 'windsurf', 'hooks.json'));
    assert.equal(installHooks(opts('vscode', { scope: 'user' })).file, path.join(home, '.claude', 'settings.json'));
    assert.equal(installHooks(opts('copilot', { scope: 'user' })).file, path.join(home, '.copilot', 'hooks', 'lockstep.json'));
    assert.deepEqual(fs.readdirSync(repo), []);
    const copilotHome = path.join(base, `copilot-home${n}`);
    const r = installHooks({ ...opts('copilot', { scope: 'user' }), home: undefined, env: { COPILOT_HOME: copilotHome } });
    assert.equal(r.file, path.join(copilotHome, 'hooks', 'lockstep.json'));
    assert.deepEqual(readJson(r.file).hooks.preToolUse, [{ type: 'command', bash: marked('copilot'), timeoutSec: 30 }]);
  });
});

describe('installHooks: Cline scripts', () => {
  const events = ['PreToolUse', 'PostToolUse', 'TaskStart', 'TaskResume', 'TaskComplete', 'TaskCancel', 'UserPromptSubmit'];
  it('writes one executable script per event that execs the command, idempotently', () => {
    fresh();
    const r = installHooks(opts('cline'));
    assert.deepEqual(r, { file: path.join(repo, '.clinerules', 'hooks'), changed: true });
    for (const ev of events) {
      const file = path.join(r.file, ev);
      assert.equal(fs.statSync(file).mode & 0o111, 0o111, ev);
      assert.match(fs.readFileSync(file, 'utf8'), /\nLOCKSTEP_HOOK=1 lockstep hook --agent cline\n$/);
    }
    assert.equal(installHooks(opts('cline')).changed, false);
    fs.chmodSync(path.join(r.file, 'TaskStart'), 0o644);
    assert.equal(installHooks(opts('cline')).changed, true, 'restores the executable bit');
  });

  it('the script really runs the command with the payload on stdin', () => {
    fresh();
    const command = `${JSON.stringify(process.execPath)} -e "process.stdin.pipe(process.stdout)"`;
    const r = installHooks(opts('cline', { command }));
    const out = spawnSync(path.join(r.file, 'PreToolUse'), [], { input: '{"cancel":false}', encoding: 'utf8' });
    assert.equal(out.status, 0);
    assert.equal(out.stdout, '{"cancel":false}');
  });

  it("refuses to overwrite a user's own script, writing nothing", () => {
    fresh();
    const dir = path.join(repo, '.clinerules', 'hooks');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'TaskComplete'), '#!/bin/sh\necho mine\n', { mode: 0o755 });
    assert.throws(() => installHooks(opts('cline')), (e: unknown) => e instanceof HookInstallError && /TaskComplete: a TaskComplete hook that is not Lockstep's already exists/.test(e.message));
    assert.deepEqual(fs.readdirSync(dir), ['TaskComplete']);
    assert.equal(uninstallHooks(opts('cline')).changed, false);
    assert.equal(fs.readFileSync(path.join(dir, 'TaskComplete'), 'utf8'), '#!/bin/sh\necho mine\n');
  });

  it('uninstall removes only Lockstep scripts', () => {
    fresh();
    const r = installHooks(opts('cline'));
    fs.writeFileSync(path.join(r.file, 'PreCompact'), '#!/bin/sh\n');
    assert.equal(uninstallHooks(opts('cline')).changed, true);
    assert.deepEqual(fs.readdirSync(r.file), ['PreCompact']);
  });
});

describe('isLockstepHookCommand', () => {
  it("recognises the marker and the exact command lines older versions wrote, nothing else", () => {
    for (const c of [
      'LOCKSTEP_HOOK=1 lockstep hook --agent claude',
      "LOCKSTEP_HOOK=1 sh -c 'whatever' lockstep-hook --agent codex",
      'lockstep hook --agent claude',
      "'/usr/bin/node' '/x/dist/cli.js' hook --agent codex",
      "env ELECTRON_RUN_AS_NODE=1 '/opt/VS Code/code' '/h/.vscode/extensions/lockstep-dev.lockstep-0.1.0/dist/cli.js' hook --agent vscode",
    ])
      assert.ok(isLockstepHookCommand(c), c);
    for (const c of ['node ./tools/cli.js hook --agent claude', 'node /home/me/audit/dist/cli.js hook', 'npx lockstep hook', 'lockstep-lint hook', 'mycli.js hook', './audit.sh', 'lockstep status', undefined, 3])
      assert.ok(!isLockstepHookCommand(c), String(c));
  });
});
