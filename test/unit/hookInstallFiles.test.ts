// What `hooks install` must never do to a user's configuration (issue: installs that never clobber):
// drop a user's hook that merely looks like Lockstep's, replace a symlinked settings file with a
// regular one, lose JSONC comments, or leave anything behind on uninstall.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HookInstallError, installHooks, uninstallHooks, type HookInstallOptions } from '../../src/agents/hookInstall';
import type { AgentName } from '../../src/core/model';

let base: string;
let n = 0;
before(() => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-hookfiles-')));
});
after(() => fs.rmSync(base, { recursive: true, force: true }));

function fresh(): { repo: string; home: string } {
  n++;
  const repo = path.join(base, `repo${n}`);
  const home = path.join(base, `home${n}`);
  fs.mkdirSync(repo);
  fs.mkdirSync(home);
  return { repo, home };
}

const opts = (agent: AgentName, repo: string, home: string, extra: Partial<HookInstallOptions> = {}): HookInstallOptions => ({
  agent,
  scope: 'project',
  repoRoot: repo,
  command: `lockstep hook --agent ${agent}`,
  home,
  ...extra,
});

const CLAUDE_JSONC = `{
  // Team settings: keep this comment.
  "permissions": { "allow": ["Bash(npm test:*)"] },
  "hooks": {
    "PreToolUse": [
      /* our audit hook */
      { "matcher": "Bash", "hooks": [{ "type": "command", "command": "node ./tools/cli.js hook --agent claude" }] },
      { "matcher": "Edit", "hooks": [{ "type": "command", "command": "node /home/me/audit/dist/cli.js hook" }] }
    ]
  }
}
`;

describe('hooks install keeps what is not Lockstep’s', () => {
  it('a user hook whose command contains `cli.js hook` survives install and uninstall; comments stay; uninstall gives the bytes back', () => {
    const { repo, home } = fresh();
    const file = path.join(repo, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, CLAUDE_JSONC);
    assert.equal(installHooks(opts('claude', repo, home)).changed, true);
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /\/\/ Team settings: keep this comment\./);
    assert.match(text, /\/\* our audit hook \*\//);
    assert.match(text, /node \.\/tools\/cli\.js hook --agent claude/);
    assert.match(text, /node \/home\/me\/audit\/dist\/cli\.js hook/);
    assert.match(text, /LOCKSTEP_HOOK=1 lockstep hook --agent claude/);
    // A reinstall with another command replaces only Lockstep's entry.
    installHooks(opts('claude', repo, home, { command: 'lockstep hook --agent claude --x' }));
    assert.equal((fs.readFileSync(file, 'utf8').match(/LOCKSTEP_HOOK=1/g) ?? []).length, 10, 'one entry per Claude event, and the asyncRewake Stop hook');
    assert.equal(uninstallHooks(opts('claude', repo, home)).changed, true);
    assert.equal(fs.readFileSync(file, 'utf8'), CLAUDE_JSONC);
  });

  it('replaces the command line an older Lockstep wrote instead of adding a second entry', () => {
    const { repo, home } = fresh();
    const file = path.join(repo, '.codex', 'hooks.json');
    fs.mkdirSync(path.dirname(file));
    const legacy = "'/usr/bin/node' '/opt/lockstep-0.0.9/dist/cli.js' hook --agent codex";
    fs.writeFileSync(file, JSON.stringify({ hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: './guard.sh' }] }, { matcher: 'apply_patch', hooks: [{ type: 'command', command: legacy, timeout: 30 }] }] } }, null, 2));
    installHooks(opts('codex', repo, home));
    const d = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(d.hooks.PreToolUse.length, 2);
    assert.equal(d.hooks.PreToolUse[0].hooks[0].command, './guard.sh');
    assert.equal(d.hooks.PreToolUse[1].hooks[0].command, 'LOCKSTEP_HOOK=1 lockstep hook --agent codex');
    assert.ok(!fs.readFileSync(file, 'utf8').includes('lockstep-0.0.9'));
  });

  it('writes through a symlinked settings file: the link stays a link, its target gets the hooks', () => {
    const { repo, home } = fresh();
    const dotfiles = path.join(home, 'dotfiles');
    fs.mkdirSync(dotfiles);
    const target = path.join(dotfiles, 'claude-settings.json');
    fs.writeFileSync(target, '{\n  "model": "opus"\n}\n', { mode: 0o600 });
    const link = path.join(home, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(link));
    fs.symlinkSync(path.relative(path.dirname(link), target), link);
    const r = installHooks(opts('claude', repo, home, { scope: 'user' }));
    assert.equal(r.file, link);
    assert.ok(fs.lstatSync(link).isSymbolicLink(), 'still a symlink');
    assert.equal(fs.statSync(target).mode & 0o777, 0o600, 'mode kept');
    assert.match(fs.readFileSync(target, 'utf8'), /"model": "opus"[\s\S]*LOCKSTEP_HOOK=1/);
    uninstallHooks(opts('claude', repo, home, { scope: 'user' }));
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.equal(fs.readFileSync(target, 'utf8'), '{\n  "model": "opus"\n}\n');
  });

  it('a dangling symlink gets its target created, the link kept', () => {
    const { repo, home } = fresh();
    const link = path.join(repo, '.gemini', 'settings.json');
    fs.mkdirSync(path.dirname(link));
    const target = path.join(home, 'shared-gemini.json');
    fs.symlinkSync(target, link);
    installHooks(opts('gemini', repo, home));
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.match(fs.readFileSync(target, 'utf8'), /BeforeTool/);
  });

  it('refuses a malformed JSONC file with one line, on install and uninstall, changing nothing', () => {
    const { repo, home } = fresh();
    const file = path.join(repo, '.claude', 'settings.json');
    fs.mkdirSync(path.dirname(file));
    const bad = '{\n  // fine so far\n  "hooks": { "PreToolUse": [ }\n}\n';
    fs.writeFileSync(file, bad);
    for (const f of [installHooks, uninstallHooks]) {
      assert.throws(
        () => f(opts('claude', repo, home)),
        (e: unknown) => e instanceof HookInstallError && /settings\.json: not valid JSON \(\w+ at line 3, column \d+\)/.test(e.message) && !e.message.includes('\n'),
      );
      assert.equal(fs.readFileSync(file, 'utf8'), bad);
    }
  });

  it('uninstall of a file Lockstep created removes it; of a user file removes exactly the entries', () => {
    const { repo, home } = fresh();
    const r = installHooks(opts('claude', repo, home));
    uninstallHooks(opts('claude', repo, home));
    assert.equal(fs.existsSync(r.file), false);
    const mine = '{\n  "model": "opus",\n  "hooks": {\n    "Stop": [{ "hooks": [{ "type": "command", "command": "say done" }] }]\n  }\n}\n';
    fs.writeFileSync(r.file, mine);
    installHooks(opts('claude', repo, home));
    uninstallHooks(opts('claude', repo, home));
    assert.equal(fs.readFileSync(r.file, 'utf8'), mine);
  });
});
